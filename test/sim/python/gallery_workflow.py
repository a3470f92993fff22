"""A gallery workflow through the Azure SDK for Python, against the simulator.

Run by test/sim/pythonSdk.test.ts in a venv it makes. The SDK is used the way its docs show: a
ManagedIdentityCredential (IDENTITY_ENDPOINT / IDENTITY_HEADER point at the simulator's token
endpoint), clients whose base_url is the simulator, TLS trusted through REQUESTS_CA_BUNDLE.
Prints one JSON object with what the SDK returned; the test judges the simulator's state itself.
"""

import json
import os
import sys

from azure.identity import ManagedIdentityCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.compute import ComputeManagementClient

ENDPOINT = os.environ["SIM_ENDPOINT"]
SUBSCRIPTION = os.environ["SIM_SUBSCRIPTION"]
RG = os.environ["SIM_RESOURCE_GROUP"]
SOURCE = os.environ["SIM_SOURCE_ID"]
PRINCIPAL = os.environ["SIM_PRINCIPAL_ID"]
SCOPES = ["https://management.azure.com/.default"]
FAST = {"polling_interval": 0.05}

credential = ManagedIdentityCredential()
compute = ComputeManagementClient(credential, SUBSCRIPTION, base_url=ENDPOINT, credential_scopes=SCOPES)
authorization = AuthorizationManagementClient(credential, SUBSCRIPTION, base_url=ENDPOINT, credential_scopes=SCOPES)

out = {}
gallery = compute.galleries.begin_create_or_update(
    RG, "py_gallery", {"location": "westus", "properties": {"sharingProfile": {"permissions": "Groups"}}}, **FAST
).result()
out["gallery"] = {"state": gallery.properties.provisioning_state, "unique_name": gallery.properties.identifier.unique_name}

image = compute.gallery_images.begin_create_or_update(
    RG,
    "py_gallery",
    "img_py",
    {
        "location": "westus",
        "properties": {
            "osType": "Linux",
            "osState": "Generalized",
            "identifier": {"publisher": "py", "offer": "sdk", "sku": "img_py"},
        },
    },
    **FAST,
).result()
out["image"] = {"name": image.name, "architecture": image.properties.architecture}

version = compute.gallery_image_versions.begin_create_or_update(
    RG,
    "py_gallery",
    "img_py",
    "1.0.0",
    {
        "location": "westus",
        "properties": {
            "publishingProfile": {"targetRegions": [{"name": "westus"}]},
            "storageProfile": {"source": {"id": SOURCE}},
        },
    },
    **FAST,
).result()
out["version"] = {
    "state": version.properties.provisioning_state,
    "regions": [r.name for r in version.properties.publishing_profile.target_regions],
}

patched = compute.gallery_image_versions.begin_update(
    RG,
    "py_gallery",
    "img_py",
    "1.0.0",
    {"properties": {"publishingProfile": {"targetRegions": [{"name": "westus"}, {"name": "eastus"}]}}},
    **FAST,
).result()
out["patched"] = {
    "regions": [r.name for r in patched.properties.publishing_profile.target_regions],
    "source": patched.properties.storage_profile.source.id,
}

compute.gallery_sharing_profile.begin_update(
    RG,
    "py_gallery",
    {"operationType": "Add", "groups": [{"type": "Subscriptions", "ids": [SUBSCRIPTION]}]},
    **FAST,
).result()
shared = compute.galleries.get(RG, "py_gallery", select="Permissions")
out["shared_with"] = [g.ids for g in shared.properties.sharing_profile.groups]

out["galleries"] = sorted(g.name for g in compute.galleries.list_by_resource_group(RG))
out["versions"] = [v.name for v in compute.gallery_image_versions.list_by_gallery_image(RG, "py_gallery", "img_py")]

reader = f"/subscriptions/{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
assignment = authorization.role_assignments.create(
    gallery.id,
    "3c5b0e6e-0000-4000-8000-00000000f001",
    {"role_definition_id": reader, "principal_id": PRINCIPAL, "principal_type": "User"},
)
out["role_assignment"] = {"principal": assignment.principal_id, "scope": assignment.scope}

try:
    authorization.role_assignments.create(
        gallery.id,
        "3c5b0e6e-0000-4000-8000-00000000f002",
        {"role_definition_id": reader, "principal_id": "3c5b0e6e-0000-4000-8000-00000000dead", "principal_type": "User"},
    )
    out["unknown_principal"] = "accepted"
except Exception as error:  # the SDK raises HttpResponseError with ARM's error code
    out["unknown_principal"] = getattr(getattr(error, "error", None), "code", None) or str(error)

json.dump(out, sys.stdout)
