// The top bar: the business, the unread total, and a menu with the sound, the language
// and signing out (one menu at every width, so a phone keeps room for the name).
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/index.js";
import { setSoundEnabled, soundEnabled } from "../sound.js";
import { signOut } from "../supabase.js";
import { LanguagePicker } from "./LanguagePicker.jsx";

function MenuIcon() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path d="M4 7h16M4 12h16M4 17h16" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
    </svg>
  );
}

export function Header({ profile, summary }) {
  const [sound, setSound] = useState(soundEnabled());
  const [leaving, setLeaving] = useState(false);
  const menu = useRef(null);
  const business = profile.business_name || t("app.name");

  // Escape or a click elsewhere closes the menu.
  useEffect(() => {
    const close = (event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event.type === "keydown" && event.key === "Escape") {
        details.open = false;
        details.querySelector("summary")?.focus();
      } else if (event.type === "click" && !details.contains(event.target)) {
        details.open = false;
      }
    };
    document.addEventListener("keydown", close);
    document.addEventListener("click", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("click", close);
    };
  }, []);

  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">F</span>
        <div class="brand-text">
          <p class="business">{business}</p>
          <p class="unread-total" id="unread-total" aria-live="polite">
            {summary.unreadMessages > 0
              ? t("header.unread", { count: summary.unreadMessages })
              : t("header.allRead")}
          </p>
        </div>
      </div>
      <details class="menu" id="account-menu" ref={menu}>
        <summary class="icon-button" title={t("menu.label")}>
          <MenuIcon />
          <span class="visually-hidden">{t("menu.label")}</span>
        </summary>
        <div class="menu-panel">
          {profile.email && <p class="menu-email">{t("menu.signedInAs", { email: profile.email })}</p>}
          <div class="menu-row">
            <label for="header-language">{t("language.label")}</label>
            <LanguagePicker id="header-language" visibleLabel />
          </div>
          <button
            type="button"
            class="button subtle"
            id="sound-toggle"
            aria-pressed={sound ? "true" : "false"}
            onClick={() => {
              setSoundEnabled(!sound);
              setSound(!sound);
            }}
          >
            {sound ? t("sound.on") : t("sound.off")}
          </button>
          <button
            type="button"
            class="button subtle"
            id="sign-out"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              await signOut();
            }}
          >
            {t("action.signOut")}
          </button>
        </div>
      </details>
    </header>
  );
}
