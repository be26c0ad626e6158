/**
 * Rejects when `promise` has not settled after `ms`, naming `what` when given. For off-hot-path
 * commands (admin, probes, checks) whose connections never time out by themselves.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what !== undefined ? `${what}: ` : ""}no answer within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
