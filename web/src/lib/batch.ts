// Calls made while a request is on its way wait and go together in the next one (up to `most`),
// each caller getting its own answer back: a lone call goes at once (after the current turn of the
// event loop, so that calls made together stay together), and under load the calls gather by
// themselves. Many small files start in a few requests and finish in a few, instead of one each.
export function batched<In, Out>(send: (inputs: In[]) => Promise<Out[]>, most = 50): (input: In) => Promise<Out> {
  const waiting: { input: In; resolve: (answer: Out) => void; reject: (error: unknown) => void }[] = [];
  let sending = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = async () => {
    timer = null;
    if (sending || !waiting.length) return;
    sending = true;
    const batch = waiting.splice(0, most);
    try {
      const answers = await send(batch.map((w) => w.input));
      batch.forEach((w, i) => (i < answers.length ? w.resolve(answers[i]!) : w.reject(new Error("no answer for this item"))));
    } catch (error) {
      batch.forEach((w) => w.reject(error));
    } finally {
      sending = false;
      void flush();
    }
  };
  return (input) =>
    new Promise<Out>((resolve, reject) => {
      waiting.push({ input, resolve, reject });
      timer ??= setTimeout(flush, 0);
    });
}
