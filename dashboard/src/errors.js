// Errors the owner can read: each carries a catalogue key, never a raw server answer.

export class AppError extends Error {
  constructor(key, cause) {
    super(key);
    this.name = "AppError";
    this.key = key;
    this.cause = cause;
  }
}

/** The catalogue key for a failed supabase-js call (PostgREST, Auth or fetch). */
export function errorKey(error) {
  if (!error) return "error.generic";
  if (error instanceof AppError) return error.key;
  const status = Number(error.status ?? error.statusCode ?? 0);
  const code = String(error.code ?? "");
  const message = String(error.message ?? "");
  if ((typeof navigator !== "undefined" && navigator.onLine === false)
    || error.name === "TypeError" || /Failed to fetch|NetworkError|fetch failed/i.test(message)) {
    return "error.network";
  }
  if (status === 401 || code === "PGRST301" || code === "PGRST303" || /JWT/i.test(message)) {
    return "error.session";
  }
  if (status === 403 || code === "42501") return "error.forbidden";
  if (code === "23505") return "error.duplicate";
  if (code === "23514" || code === "22023" || code === "23502" || code === "22001") return "error.invalid";
  return "error.generic";
}

/** Throws an AppError for a supabase-js result that failed; returns its data otherwise. */
export function unwrap({ data, error }) {
  if (error) {
    console.warn("FácilChat:", error);
    throw new AppError(errorKey(error), error);
  }
  return data;
}
