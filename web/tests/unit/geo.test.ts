import { describe, expect, it } from "vitest";
import { boxFromCorners, boxRects, formatBox, parseBox, project, unproject } from "../../src/lib/geo";
import { safeReturn } from "../../src/lib/auth";

describe("the map's geometry", () => {
  it("projects and unprojects", () => {
    expect(project(0, 0)).toEqual([180, 90]);
    expect(unproject(...project(12.5, -33.25))).toEqual([12.5, -33.25]);
    expect(unproject(-50, 400)).toEqual([-180, -90]);
  });

  it("draws a box crossing the antimeridian as two rectangles", () => {
    expect(boxRects({ west: 170, south: -10, east: -170, north: 10 })).toHaveLength(2);
    expect(boxRects({ west: -10, south: 35, east: 30, north: 60 })).toEqual([{ x: 170, y: 30, width: 40, height: 25 }]);
  });

  it("makes a box from corners dragged either way", () => {
    expect(boxFromCorners(project(30, 35), project(-10, 60))).toEqual({ west: -10, south: 35, east: 30, north: 60 });
  });

  it("parses only well-formed boxes from the URL", () => {
    expect(parseBox(formatBox({ west: -10, south: 35, east: 30, north: 60 }))).toEqual({
      west: -10,
      south: 35,
      east: 30,
      north: 60,
    });
    for (const bad of ["", "1,2,3", "a,b,c,d", "0,50,10,40", "0,0,200,10"]) expect(parseBox(bad)).toBeNull();
  });
});

describe("the sign-in return path", () => {
  it("keeps paths of this site and refuses the rest", () => {
    expect(safeReturn("/folders/x?sort=SIZE")).toBe("/folders/x?sort=SIZE");
    for (const bad of [undefined, "", "https://evil.example/", "//evil.example/x", "/auth/callback?code=1"]) {
      expect(safeReturn(bad)).toBe("/");
    }
  });
});
