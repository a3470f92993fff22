// Name rules the Compute RP enforces and ARM's resource-group rule (docs/arm-behaviour.md#names).
import { invalidParameter, invalidResourceGroupName } from "../errors.js";

const INT32_MAX = 2_147_483_647;

/** Letters and digits, with `_` and `.` only in the middle; up to 80 characters; no dashes. */
export function checkGalleryName(name: string): void {
  if (!/^[A-Za-z0-9]([A-Za-z0-9._]{0,78}[A-Za-z0-9])?$/.test(name)) {
    throw invalidParameter(
      "Gallery name is invalid. Allowed characters are English alphanumeric characters, with underscores and periods allowed in the middle, up to 80 characters total. All other special characters, including dashes, are disallowed.",
      "galleryName",
    );
  }
}

/**
 * Letters, digits, `_`, `-` and `.`; starting with a letter or digit and not ending with `-` or
 * `.`; up to 80 characters (real ARM accepted `def_…` and `img_…`).
 */
export function checkImageName(name: string): void {
  if (!/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/.test(name)) {
    throw invalidParameter(
      `The gallery image name '${name}' is invalid. An image definition name can contain only English letters, digits, underscores, dashes and periods, must start with a letter or digit, must not end with a dash or period, and can be up to 80 characters long.`,
      "galleryImageName",
    );
  }
}

export function checkVersionName(name: string): void {
  const parts = /^(\d+)\.(\d+)\.(\d+)$/.exec(name);
  if (!parts || parts.slice(1).some((part) => Number(part) > INT32_MAX)) {
    throw invalidParameter(
      `The gallery image version name '${name}' is invalid. The version name must follow Major(int32).Minor(int32).Patch(int32) format, where int is between 0 and 2,147,483,647 (inclusive). e.g: 1.0.0, 2018.12.1 etc.`,
      "galleryImageVersionName",
    );
  }
}

export function checkResourceGroupName(name: string): void {
  if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith(".")) throw invalidResourceGroupName(name);
}
