// Azure regions as the Compute RP names them. Requests may spell a region any way ARM accepts
// ("westus", "West US", "WESTUS"); responses use the display name in targetRegions
// ("West US") and the RP's own spelling in capsOperations URLs ("westus", but "CentralUSEUAP").

interface Region {
  display: string;
  /** How the RP spells it in operation URLs and community gallery views. */
  rp: string;
}

// Display names from the public "az account list-locations" output; EUAP spellings from the
// recorded capsOperations URLs (docs/arm-behaviour.md#urls).
const DISPLAY_NAMES: Record<string, string> = {
  eastus: "East US",
  eastus2: "East US 2",
  westus: "West US",
  westus2: "West US 2",
  westus3: "West US 3",
  centralus: "Central US",
  northcentralus: "North Central US",
  southcentralus: "South Central US",
  westcentralus: "West Central US",
  canadacentral: "Canada Central",
  canadaeast: "Canada East",
  brazilsouth: "Brazil South",
  brazilsoutheast: "Brazil Southeast",
  mexicocentral: "Mexico Central",
  northeurope: "North Europe",
  westeurope: "West Europe",
  uksouth: "UK South",
  ukwest: "UK West",
  francecentral: "France Central",
  francesouth: "France South",
  germanywestcentral: "Germany West Central",
  germanynorth: "Germany North",
  norwayeast: "Norway East",
  norwaywest: "Norway West",
  switzerlandnorth: "Switzerland North",
  switzerlandwest: "Switzerland West",
  swedencentral: "Sweden Central",
  polandcentral: "Poland Central",
  italynorth: "Italy North",
  spaincentral: "Spain Central",
  eastasia: "East Asia",
  southeastasia: "Southeast Asia",
  japaneast: "Japan East",
  japanwest: "Japan West",
  koreacentral: "Korea Central",
  koreasouth: "Korea South",
  australiaeast: "Australia East",
  australiasoutheast: "Australia Southeast",
  australiacentral: "Australia Central",
  australiacentral2: "Australia Central 2",
  centralindia: "Central India",
  southindia: "South India",
  westindia: "West India",
  uaenorth: "UAE North",
  uaecentral: "UAE Central",
  southafricanorth: "South Africa North",
  southafricawest: "South Africa West",
  qatarcentral: "Qatar Central",
  israelcentral: "Israel Central",
  newzealandnorth: "New Zealand North",
  centraluseuap: "Central US EUAP",
  eastus2euap: "East US 2 EUAP",
};

const RP_SPELLINGS: Record<string, string> = {
  centraluseuap: "CentralUSEUAP",
  eastus2euap: "EastUS2EUAP",
};

const REGIONS = new Map<string, Region>(
  Object.entries(DISPLAY_NAMES).map(([name, display]) => [name, { display, rp: RP_SPELLINGS[name] ?? name }]),
);

/** The canonical short name ("westus") for any spelling ARM accepts. */
export function normalizeRegion(name: string): string {
  return name.replace(/\s+/g, "").toLowerCase();
}

export function isKnownRegion(name: string): boolean {
  return REGIONS.has(normalizeRegion(name));
}

/** "East US 2" for "eastus2"; an unknown region is returned as given. */
export function regionDisplayName(name: string): string {
  return REGIONS.get(normalizeRegion(name))?.display ?? name;
}

/** "westus", "CentralUSEUAP": the RP's spelling used in operation URLs. */
export function regionRpSpelling(name: string): string {
  return REGIONS.get(normalizeRegion(name))?.rp ?? normalizeRegion(name);
}

export function knownRegionNames(): string[] {
  return [...REGIONS.values()].map((region) => region.display);
}
