/**
 * How glooctl talks to a running gateway: the admin API at `--admin-url` (env GLOO_ADMIN_URL,
 * default http://127.0.0.1:19000), and the one message every command prints when it is not there.
 */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:19000';

/** Thrown by {@link adminRequest}; `message` is what the user sees. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
}

/** The explanation for an admin API that cannot be reached or answered with an error. */
export function unreachableText(adminUrl: string, err: unknown): string {
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return (
    `cannot reach the gateway's admin API at ${adminUrl}${cause ? ` (${cause})` : ''}: ${(err as Error).message}\n` +
    'Is `gloo run` running? Set --admin-url or GLOO_ADMIN_URL to its admin address.'
  );
}

/** Requests `path` and returns the parsed JSON of a 2xx answer; throws AdminApiError otherwise. */
export async function adminRequest<T>(adminUrl: string, path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(new URL(path, adminUrl), init);
    if (!res.ok) throw new Error(`admin API answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  } catch (err) {
    throw new AdminApiError(unreachableText(adminUrl, err));
  }
}
