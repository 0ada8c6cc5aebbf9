/**
 * Runs an async refresh at most once at a time: a call while it runs asks for one more run afterwards,
 * however many calls came meanwhile. For fetches that follow busy events (a block final every few
 * milliseconds while catching up) without piling up requests.
 */
export function coalesced(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async (): Promise<void> => {
    try {
      do {
        again = false;
        await run();
      } while (again);
    } finally {
      running = null;
    }
  };
  return () => {
    if (running) {
      again = true;
      return running;
    }
    running = loop();
    return running;
  };
}
