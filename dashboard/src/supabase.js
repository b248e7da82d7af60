// The one owner of the supabase-js client and the signed-in session.
//
// The URL and anon key come from config.json next to index.html (written by the build
// on Vercel, served by `facilchat dev` locally). Sessions persist in localStorage and
// supabase-js refreshes them before they expire.
import { createClient } from "@supabase/supabase-js";
import { AppError } from "./errors.js";

const RETURN_TO_KEY = "facilchat.returnTo";
let client = null;

export async function loadConfig() {
  let response;
  try {
    response = await fetch("./config.json", { cache: "no-store" });
  } catch (error) {
    throw new AppError("error.network", error);
  }
  if (!response.ok) throw new AppError("error.config");
  let config;
  try {
    config = await response.json();
  } catch (error) {
    throw new AppError("error.config", error);
  }
  if (typeof config.supabaseUrl !== "string" || typeof config.anonKey !== "string"
    || !config.supabaseUrl || !config.anonKey) {
    throw new AppError("error.config");
  }
  return config;
}

/**
 * Reads a sign-in error that Supabase Auth put in the URL (for example, the person
 * cancelled on Google's page) and removes it, so a reload does not show it again.
 */
export function takeAuthErrorFromUrl() {
  const url = new URL(location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ""));
  const error = url.searchParams.get("error") || hash.get("error");
  if (!error) return null;
  for (const name of ["error", "error_code", "error_description"]) url.searchParams.delete(name);
  history.replaceState(history.state, "", url.pathname + url.search + (hash.has("error") ? "" : url.hash));
  return error === "access_denied" ? "signin.cancelled" : "signin.failed";
}

export function createSupabase(config) {
  client = createClient(config.supabaseUrl, config.anonKey, {
    auth: { flowType: "pkce", persistSession: true, autoRefreshToken: true, detectSessionInUrl: true },
  });
  return client;
}

export function supabase() {
  if (!client) throw new Error("FácilChat: the Supabase client is not created yet");
  return client;
}

export async function currentSession() {
  const { data, error } = await supabase().auth.getSession();
  if (error) throw new AppError("signin.failed", error);
  return data.session;
}

/** Calls `listener(session, event)` on every sign-in, refresh and sign-out. */
export function onSessionChange(listener) {
  const { data } = supabase().auth.onAuthStateChange((event, session) => listener(session, event));
  return () => data.subscription.unsubscribe();
}

/**
 * Google sign-in through Supabase Auth. The page comes back to this same address;
 * the route the person wanted (a deep link) is kept for after the sign-in.
 */
export async function signInWithGoogle() {
  try {
    if (location.hash && location.hash !== "#/") sessionStorage.setItem(RETURN_TO_KEY, location.hash);
  } catch {
    // Without storage, the person lands on the inbox instead of the link.
  }
  const { error } = await supabase().auth.signInWithOAuth({
    provider: "google",
    options: { redirectTo: location.origin + location.pathname },
  });
  if (error) throw new AppError("signin.failed", error);
}

/** The route a signed-out visitor asked for before signing in, once. */
export function takeReturnTo() {
  try {
    const hash = sessionStorage.getItem(RETURN_TO_KEY);
    sessionStorage.removeItem(RETURN_TO_KEY);
    return hash;
  } catch {
    return null;
  }
}

export async function signOut() {
  await supabase().removeAllChannels();
  const { error } = await supabase().auth.signOut();
  // Signed out locally even when the server could not be told: the session is gone here.
  if (error) console.warn("FácilChat: sign-out", error);
}
