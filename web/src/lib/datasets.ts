// Datasets people ask for most, with a request each service's own API takes, for when the
// service's catalogue cannot be listed: a person can still pick one (or type any id) and ask.
// The ids and request keys are the services' own (CDS/ADS/EWDS retrieve API, CLMS download API).
export interface KnownDataset {
  service: string;
  id: string;
  title: string;
  request: Record<string, unknown>;
}

const EUROPE = [60, -10, 35, 30]; // north, west, south, east, as CDS takes an area
// One hour of one summer day over Europe: small enough that a first request comes back quickly.
const ERA5_DAY = { year: ["2025"], month: ["07"], day: ["01"], time: ["12:00"], data_format: "netcdf", area: EUROPE };

export const KNOWN_DATASETS: KnownDataset[] = [
  {
    service: "CDS",
    id: "reanalysis-era5-single-levels",
    title: "ERA5 hourly data on single levels",
    request: {
      product_type: ["reanalysis"],
      variable: ["2m_temperature"],
      ...ERA5_DAY,
    },
  },
  {
    service: "CDS",
    id: "reanalysis-era5-land",
    title: "ERA5-Land hourly data",
    request: {
      variable: ["2m_temperature", "surface_solar_radiation_downwards"],
      ...ERA5_DAY,
    },
  },
  {
    service: "CDS",
    id: "reanalysis-era5-pressure-levels",
    title: "ERA5 hourly data on pressure levels",
    request: {
      product_type: ["reanalysis"],
      variable: ["temperature"],
      pressure_level: ["850"],
      ...ERA5_DAY,
    },
  },
  {
    service: "ADS",
    id: "cams-global-reanalysis-eac4",
    title: "CAMS global reanalysis (EAC4)",
    request: {
      variable: ["particulate_matter_2.5um"],
      date: ["2024-07-01/2024-07-02"],
      time: ["00:00", "12:00"],
      data_format: "netcdf",
      area: EUROPE,
    },
  },
  {
    service: "ADS",
    id: "cams-europe-air-quality-forecasts",
    title: "CAMS European air quality forecasts",
    request: {
      variable: ["particulate_matter_2.5um"],
      model: ["ensemble"],
      level: ["0"],
      date: ["2025-07-01/2025-07-01"],
      type: ["analysis"],
      time: ["00:00"],
      leadtime_hour: ["0"],
      data_format: "netcdf_zip",
    },
  },
  {
    service: "EWDS",
    id: "cems-glofas-historical",
    title: "River discharge, GloFAS historical",
    request: {
      system_version: ["version_4_0"],
      hydrological_model: ["lisflood"],
      product_type: ["consolidated"],
      variable: ["river_discharge_in_the_last_24_hours"],
      hyear: ["2024"],
      hmonth: ["07"],
      hday: ["01"],
      data_format: "netcdf",
      area: EUROPE,
    },
  },
  {
    service: "CLMS",
    id: "clc-2018",
    title: "CORINE Land Cover 2018",
    request: { OutputFormat: "Geotiff", OutputGCS: "EPSG:4326" },
  },
];

export function knownFor(service: string): KnownDataset[] {
  return KNOWN_DATASETS.filter((d) => d.service === service);
}

// What tells two requests of the same dataset apart, in a few words: its area, time and variables.
export function summary(request: unknown): string {
  if (!request || typeof request !== "object") return "";
  const r = request as Record<string, unknown>;
  const parts: string[] = [];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String).join(", ") : value === undefined ? "" : String(value));
  const variables = list(r["variable"]);
  if (variables) parts.push(variables);
  const area = r["area"] ?? r["BoundingBox"];
  if (Array.isArray(area) && area.length === 4) parts.push(`area ${area.join(", ")}`);
  const when = list(r["date"]) || [list(r["year"] ?? r["hyear"]), list(r["month"] ?? r["hmonth"]), list(r["day"] ?? r["hday"])].filter(Boolean).join("-");
  if (when) parts.push(when);
  const text = parts.join(" · ");
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
