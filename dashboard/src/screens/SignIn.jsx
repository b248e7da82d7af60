// The only page a signed-out visitor sees: "Continuar con Google" through Supabase Auth.
import { useState } from "preact/hooks";
import { LanguagePicker } from "../components/LanguagePicker.jsx";
import { errorKey } from "../errors.js";
import { t } from "../i18n/index.js";
import { signInWithGoogle } from "../supabase.js";

function GoogleMark() {
  return (
    <svg viewBox="0 0 48 48" width="20" height="20" aria-hidden="true">
      <path fill="#EA4335" d="M24 9.5c3.5 0 6.6 1.2 9.1 3.6l6.8-6.8C35.8 2.4 30.3 0 24 0 14.6 0 6.6 5.4 2.7 13.2l7.9 6.2C12.5 13.6 17.8 9.5 24 9.5z" />
      <path fill="#4285F4" d="M46.5 24.5c0-1.6-.1-3.1-.4-4.5H24v9h12.7c-.6 3-2.3 5.5-4.8 7.2l7.6 5.9c4.4-4.1 7-10.1 7-17.6z" />
      <path fill="#FBBC05" d="M10.6 28.6c-.5-1.4-.8-3-.8-4.6s.3-3.2.8-4.6l-7.9-6.2C1 16.6 0 20.2 0 24s1 7.4 2.7 10.8l7.9-6.2z" />
      <path fill="#34A853" d="M24 48c6.5 0 11.9-2.1 15.9-5.8l-7.6-5.9c-2.1 1.4-4.9 2.3-8.3 2.3-6.2 0-11.5-4.1-13.4-9.9l-7.9 6.2C6.6 42.6 14.6 48 24 48z" />
    </svg>
  );
}

export function SignIn({ initialError }) {
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const deepLink = /^#\/c\//.test(location.hash);

  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      await signInWithGoogle();
    } catch (failure) {
      setError(errorKey(failure) === "error.network" ? "error.network" : "signin.failed");
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-language"><LanguagePicker id="signin-language" /></div>
        <span class="logo large" aria-hidden="true">F</span>
        <h1>{t("app.name")}</h1>
        <p class="tagline">{t("signin.tagline")}</p>
        {deepLink && <p class="notice" id="deep-link-note">{t("signin.deepLink")}</p>}
        <button type="button" class="button google" id="google-sign-in" onClick={start} disabled={busy}>
          <GoogleMark />
          <span>{busy ? t("signin.redirecting") : t("signin.google")}</span>
        </button>
        {error && <p class="alert" role="alert" id="signin-error">{t(error)}</p>}
        <p class="fineprint">{t("signin.fineprint")}</p>
      </div>
    </main>
  );
}
