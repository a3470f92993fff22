// Name rules the Compute RP enforces (facts §12) and ARM's resource-group rule.
import { invalidParameter, invalidResourceGroupName } from "../errors.js";

const INT32_MAX = 2_147_483_647;

export function checkGalleryName(name: string): void {
  if (!/^[A-Za-z0-9._]{1,80}$/.test(name)) {
    throw invalidParameter(
      `The gallery name '${name}' is invalid. A gallery name can contain only letters, digits, periods and underscores, and be up to 80 characters long.`,
      "galleryName",
    );
  }
}

export function checkImageName(name: string): void {
  if (!/^[A-Za-z0-9.-]{1,80}$/.test(name)) {
    throw invalidParameter(
      `The gallery image name '${name}' is invalid. An image definition name can contain only letters, digits, periods and dashes, and be up to 80 characters long.`,
      "galleryImageName",
    );
  }
}

export function checkVersionName(name: string): void {
  const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(name);
  if (!parts || parts.slice(1).some((part) => Number(part) > INT32_MAX)) {
    throw invalidParameter(
      `The gallery image version name '${name}' is invalid. The version name must follow Major(int32).Minor(int32).Patch(int32) format, e.g: 1.0.0, 2018.12.1 etc.`,
      "galleryImageVersionName",
    );
  }
}

export function checkResourceGroupName(name: string): void {
  if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith(".")) throw invalidResourceGroupName(name);
}
