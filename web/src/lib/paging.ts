// Cursor paging for one list: the cursors that opened each page seen so far, so that
// "previous" goes back without offsets and "next" continues after the last item shown.
export class CursorPager {
  private openers: (string | null)[] = [null];

  get after(): string | null {
    return this.openers[this.openers.length - 1] ?? null;
  }

  get page(): number {
    return this.openers.length;
  }

  get hasPrevious(): boolean {
    return this.openers.length > 1;
  }

  next(endCursor: string | null | undefined): void {
    if (!endCursor) throw new Error("no next page");
    this.openers.push(endCursor);
  }

  previous(): void {
    if (this.openers.length > 1) this.openers.pop();
  }

  reset(): void {
    this.openers = [null];
  }

  // For the URL: the page trail, so a reload keeps the page.
  serialise(): string {
    return this.openers.slice(1).join(",");
  }

  static restore(trail: string | null | undefined): CursorPager {
    const pager = new CursorPager();
    for (const cursor of (trail ?? "").split(",").filter(Boolean).slice(0, 100)) pager.openers.push(cursor);
    return pager;
  }
}
