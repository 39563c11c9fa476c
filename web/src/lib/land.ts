// The land outline, shipped as data (Natural Earth 1:110m through world-atlas): no tile server.
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import type { Feature, MultiPolygon, Polygon, Position } from "geojson";
import land from "world-atlas/land-110m.json";
import { project } from "./geo";

// A ring that crosses the antimeridian jumps from one edge to the other: that step is a move, not
// a line drawn across the whole map.
function ring(points: Position[]): string {
  let previous: number | null = null;
  let crossed = false;
  const steps = points.map(([lon = 0, lat = 0], i) => {
    const [x, y] = project(lon, lat);
    const jump = previous !== null && Math.abs(lon - previous) > 180;
    crossed ||= jump;
    previous = lon;
    return `${i === 0 || jump ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  return steps.join("") + (crossed ? "" : "Z");
}

function landPath(): string {
  const topology = land as unknown as Topology<{ land: GeometryCollection }>;
  const collection = feature(topology, topology.objects.land);
  const features = "features" in collection ? collection.features : [collection as Feature];
  const parts: string[] = [];
  for (const f of features) {
    const geometry = f.geometry as Polygon | MultiPolygon;
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    for (const polygon of polygons) for (const r of polygon) parts.push(ring(r));
  }
  return parts.join("");
}

export const LAND_PATH = landPath();
