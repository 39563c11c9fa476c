// At most one call per `ms`: the first at once, the last of a burst when the time is up. For reads
// that follow many quick events (200 small uploads completing), so that the first result shows
// without delay and the page does not read itself again for each of the rest.
export function throttled(call: () => void, ms: number): () => void {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    const wait = last + ms - Date.now();
    if (wait <= 0 && timer === null) {
      last = Date.now();
      call();
    } else if (timer === null) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        call();
      }, Math.max(wait, 0));
    }
  };
}
