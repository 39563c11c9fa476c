// An equirectangular world: longitude and latitude to SVG coordinates and back, and bounding
// boxes as rectangles (split in two where they cross the antimeridian, west > east).
export const WIDTH = 360;
export const HEIGHT = 180;

export interface Box {
  west: number;
  south: number;
  east: number;
  north: number;
}

export function project(longitude: number, latitude: number): [number, number] {
  return [longitude + 180, 90 - latitude];
}

export function unproject(x: number, y: number): [number, number] {
  const clamp = (v: number, low: number, high: number) => Math.min(high, Math.max(low, v));
  return [round(clamp(x - 180, -180, 180)), round(clamp(90 - y, -90, 90))];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function boxRects(box: Box): Rect[] {
  const [, top] = project(0, box.north);
  const [, bottom] = project(0, box.south);
  const height = Math.max(bottom - top, 0.5);
  const span = (west: number, east: number): Rect => {
    const [x0] = project(west, 0);
    const [x1] = project(east, 0);
    return { x: x0, y: top, width: Math.max(x1 - x0, 0.5), height };
  };
  return box.west <= box.east ? [span(box.west, box.east)] : [span(box.west, 180), span(-180, box.east)];
}

// A box from two corners dragged on the map, in either direction.
export function boxFromCorners(a: [number, number], b: [number, number]): Box {
  const [lonA, latA] = unproject(...a);
  const [lonB, latB] = unproject(...b);
  return {
    west: Math.min(lonA, lonB),
    east: Math.max(lonA, lonB),
    south: Math.min(latA, latB),
    north: Math.max(latA, latB),
  };
}

export function parseBox(text: string | null | undefined): Box | null {
  const values = (text ?? "").split(",").map(Number);
  if (values.length !== 4 || values.some((v) => !Number.isFinite(v))) return null;
  const [west, south, east, north] = values as [number, number, number, number];
  if (Math.abs(west) > 180 || Math.abs(east) > 180 || Math.abs(south) > 90 || Math.abs(north) > 90) return null;
  if (south > north) return null;
  return { west, south, east, north };
}

export function formatBox(box: Box): string {
  return [box.west, box.south, box.east, box.north].join(",");
}
