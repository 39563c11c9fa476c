// A file's free metadata and provenance as form fields, checked as they are typed: the same
// limits the API holds them to (resolvers/metadata.py), said next to the field that breaks them.

export type Kind = "text" | "number" | "date" | "yes/no" | "list" | "json";
export const KINDS: Kind[] = ["text", "number", "date", "yes/no", "list", "json"];

export interface Field {
  key: string;
  kind: Kind;
  value: string;
}

export const SOURCE_KINDS = ["DRONE", "IOT", "BIM", "SATELLITE", "COPERNICUS", "OTHER"] as const;
const MAX_TEXT = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function kindOf(value: unknown): Kind {
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "yes/no";
  if (typeof value === "string") return DAY.test(value) ? "date" : "text";
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) return "list";
  return "json";
}

function shown(value: unknown, kind: Kind): string {
  if (kind === "yes/no") return value ? "yes" : "no";
  if (kind === "list") return (value as unknown[]).join(", ");
  if (kind === "json") return JSON.stringify(value);
  return String(value);
}

/** The fields of stored metadata, each with the kind its value has. */
export function fieldsOf(metadata: unknown): Field[] {
  if (!metadata || typeof metadata !== "object" || Array.isArray(metadata)) return [];
  return Object.entries(metadata).map(([key, value]) => {
    const kind = kindOf(value);
    return { key, kind, value: shown(value, kind) };
  });
}

function valueOf(field: Field): { value?: unknown; error?: string } {
  const text = field.value.trim();
  switch (field.kind) {
    case "number": {
      const number = Number(text);
      return text !== "" && Number.isFinite(number) ? { value: number } : { error: "A number, such as 12 or 3.5." };
    }
    case "date":
      return DAY.test(text) && !Number.isNaN(Date.parse(text)) ? { value: text } : { error: "A date, as 2026-03-31." };
    case "yes/no":
      return text === "yes" || text === "no" ? { value: text === "yes" } : { error: "yes or no." };
    case "list": {
      const items = text.split(",").map((item) => item.trim()).filter(Boolean);
      return items.length ? { value: items } : { error: "Items separated by commas." };
    }
    case "json":
      try {
        return { value: JSON.parse(text) };
      } catch {
        return { error: "Valid JSON, such as {\"by\": \"drone team\"} or [1, 2]." };
      }
    default:
      return text.length <= 20000 ? { value: field.value } : { error: "At most 20,000 characters." };
  }
}

function keyError(key: string, seen: Set<string>): string | undefined {
  if (!key) return "A name.";
  if (key.startsWith("$") || key.includes(".")) return "No $ at the start and no dots.";
  if (key.length > MAX_TEXT) return `At most ${MAX_TEXT} characters.`;
  if (seen.has(key)) return "Another field has this name.";
  return undefined;
}

export interface Checked<T> {
  value?: T;
  errors: Record<string, string>; // by field: "3.key", "3.value", "latitude", ...
}

/** Metadata from the form's fields, or what is wrong with each field. */
export function metadataOf(fields: Field[]): Checked<Record<string, unknown>> {
  const errors: Record<string, string> = {};
  const value: Record<string, unknown> = {};
  const seen = new Set<string>();
  fields.forEach((field, index) => {
    const key = field.key.trim();
    const bad = keyError(key, seen);
    if (bad) errors[`${index}.key`] = bad;
    seen.add(key);
    const parsed = valueOf(field);
    if (parsed.error) errors[`${index}.value`] = parsed.error;
    else if (!bad) value[key] = parsed.value;
  });
  return Object.keys(errors).length ? { errors } : { value, errors };
}

export interface ProvenanceForm {
  sourceKind: string;
  sensorId: string;
  platform: string;
  longitude: string;
  latitude: string;
  west: string;
  south: string;
  east: string;
  north: string;
  start: string; // datetime-local, in the browser's time zone
  end: string;
}

const SIDES = ["west", "south", "east", "north"] as const;

function local(iso: unknown): string {
  if (typeof iso !== "string" || !iso) return "";
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}T${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

/** The form's fields for stored provenance (as the API gives it). */
export function formOf(provenance: Record<string, unknown> | null | undefined): ProvenanceForm {
  const p = provenance ?? {};
  const location = (p.location ?? null) as { longitude?: number; latitude?: number } | null;
  const box = (p.bbox ?? null) as Record<string, number> | null;
  const range = (p.timeRange ?? null) as { start?: string; end?: string } | null;
  const text = (v: unknown) => (v === null || v === undefined ? "" : String(v));
  return {
    sourceKind: text(p.sourceKind),
    sensorId: text(p.sensorId),
    platform: text(p.platform),
    longitude: text(location?.longitude),
    latitude: text(location?.latitude),
    west: text(box?.west),
    south: text(box?.south),
    east: text(box?.east),
    north: text(box?.north),
    start: local(range?.start),
    end: local(range?.end),
  };
}

function inRange(text: string, low: number, high: number, what: string): { value?: number; error?: string } {
  const number = Number(text);
  if (text.trim() === "" || !Number.isFinite(number)) return { error: `${what}: a number.` };
  if (number < low || number > high) return { error: `${what} is between ${low} and ${high}.` };
  return { value: number };
}

/** ProvenanceInput from the form, or what is wrong with each field (empty fields are left out). */
export function provenanceOf(form: ProvenanceForm): Checked<Record<string, unknown>> {
  const errors: Record<string, string> = {};
  const value: Record<string, unknown> = {};
  if (form.sourceKind) {
    if ((SOURCE_KINDS as readonly string[]).includes(form.sourceKind)) value.sourceKind = form.sourceKind;
    else errors.sourceKind = "One of the listed sources.";
  }
  for (const name of ["sensorId", "platform"] as const) {
    const text = form[name].trim();
    if (text.length > MAX_TEXT) errors[name] = `At most ${MAX_TEXT} characters.`;
    else if (text) value[name] = text;
  }
  if (form.longitude.trim() || form.latitude.trim()) {
    const longitude = inRange(form.longitude, -180, 180, "Longitude");
    const latitude = inRange(form.latitude, -90, 90, "Latitude");
    if (longitude.error) errors.longitude = longitude.error;
    if (latitude.error) errors.latitude = latitude.error;
    if (!longitude.error && !latitude.error) value.location = { longitude: longitude.value, latitude: latitude.value };
  }
  if (SIDES.some((side) => form[side].trim())) {
    const sides = {
      west: inRange(form.west, -180, 180, "West"),
      east: inRange(form.east, -180, 180, "East"),
      south: inRange(form.south, -90, 90, "South"),
      north: inRange(form.north, -90, 90, "North"),
    };
    for (const side of SIDES) if (sides[side].error) errors[side] = sides[side].error!;
    if (!SIDES.some((side) => sides[side].error)) {
      const box = Object.fromEntries(SIDES.map((side) => [side, sides[side].value!])) as Record<string, number>;
      if (box.west! > box.east!) errors.east = "East is at or east of west (an area across 180° is two files' areas).";
      else if (box.south! > box.north!) errors.north = "North is at or north of south.";
      else value.bbox = box;
    }
  }
  const start = form.start ? new Date(form.start) : null;
  const end = form.end ? new Date(form.end) : null;
  if (start && Number.isNaN(start.getTime())) errors.start = "A date and time.";
  if (end && Number.isNaN(end.getTime())) errors.end = "A date and time.";
  if (start && end && !errors.start && !errors.end && start > end) errors.end = "The end is not before the start.";
  if ((start || end) && !errors.start && !errors.end) {
    value.timeRange = { start: start ? start.toISOString() : null, end: end ? end.toISOString() : null };
  }
  return Object.keys(errors).length ? { errors } : { value, errors };
}
