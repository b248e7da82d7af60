// Settings: the business's name and WhatsApp number (assigned by the operator, read only),
// the fallback message and how often it may repeat, how sure an FAQ answer must be, business
// hours (several ranges a day), the time zone and the away message, and the dashboard's
// language. One form: checked here first, then saved in one update; what the database
// refuses comes back as a message on the field concerned.
import { useEffect, useMemo, useState } from "preact/hooks";
import { LanguagePicker } from "../components/LanguagePicker.jsx";
import {
  FAQ_CAUTIONS, fetchSettings, fetchTimeZoneNames, hoursToInterval, intervalToHours, MAX_BUSINESS_NAME, MAX_MESSAGE,
  MAX_WINDOW_HOURS, saveSettings,
} from "../data/settings.js";
import { errorKey } from "../errors.js";
import { t } from "../i18n/index.js";
import { HoursEditor } from "./settings/HoursEditor.jsx";
import { daysToHours, hoursProblem, hoursToDays, isOpenAt, localClock } from "./settings/hours.js";
import "./settings.css";

const FIELD_IDS = {
  business: "settings-business-name",
  fallback: "settings-fallback",
  window: "settings-window",
  caution: "settings-caution-title",
  timezone: "settings-timezone",
  hours: "settings-hours-legend",
  away: "settings-away",
};

function formFrom(row) {
  const hours = intervalToHours(row.fallback_window);
  return {
    business: row.business_name ?? "",
    fallback: row.fallback_message ?? "",
    window: hours === null ? "" : String(hours),
    caution: cautionOf(row),
    timezone: row.timezone ?? "",
    days: hoursToDays(row.business_hours),
    away: row.away_message ?? "",
  };
}

function cautionOf(row) {
  return FAQ_CAUTIONS.includes(row.faq_caution) ? row.faq_caution : FAQ_CAUTIONS[0];
}

// Each choice in plain words; the scores behind them are in docs/dashboard.md.
const CAUTION_TEXT = {
  balanced: () => ({ name: t("settings.caution.balanced"), help: t("settings.caution.balancedHelp") }),
  cautious: () => ({ name: t("settings.caution.cautious"), help: t("settings.caution.cautiousHelp") }),
};

export function Settings({ profile, onProfileSaved }) {
  const [row, setRow] = useState(null);
  const [form, setForm] = useState(null);
  const [zones, setZones] = useState([]);
  const [problems, setProblems] = useState({});
  const [failure, setFailure] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [now, setNow] = useState(() => new Date());

  const load = async () => {
    setLoadError(null);
    try {
      const loaded = await fetchSettings(profile.id);
      setRow(loaded);
      setForm(formFrom(loaded));
    } catch (error) {
      setLoadError(errorKey(error));
    }
  };

  useEffect(() => {
    load();
    fetchTimeZoneNames().then(setZones);
    // The "open now" line follows the clock.
    const tick = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(tick);
  }, [profile.id]);

  const zoneSet = useMemo(() => new Set(zones), [zones]);

  if (loadError && !form) {
    return (
      <section class="settings-screen">
        <h1 class="section-title">{t("settings.title")}</h1>
        <p class="alert" role="alert">{t(loadError)}</p>
        <button type="button" class="button subtle" onClick={load}>{t("action.retry")}</button>
      </section>
    );
  }
  if (!form) {
    return (
      <section class="settings-screen">
        <h1 class="section-title">{t("settings.title")}</h1>
        <p class="muted" role="status">{t("settings.loading")}</p>
      </section>
    );
  }

  const update = (field, value) => {
    setForm((current) => ({ ...current, [field]: value }));
    setProblems((current) => ({ ...current, [field]: null }));
    setStatus("");
  };

  const check = () => {
    const found = {};
    const business = form.business.trim();
    if (!business) found.business = t("settings.business.required");
    else if (business.length > MAX_BUSINESS_NAME) found.business = t("settings.business.tooLong", { max: MAX_BUSINESS_NAME });
    const fallback = form.fallback.trim();
    if (!fallback) found.fallback = t("settings.fallback.required");
    else if (fallback.length > MAX_MESSAGE) found.fallback = t("settings.message.tooLong", { max: MAX_MESSAGE });
    const windowHours = Number(form.window.replace(",", "."));
    if (form.window.trim() === "" || !Number.isFinite(windowHours) || windowHours < 0 || windowHours > MAX_WINDOW_HOURS) {
      found.window = t("settings.window.invalid", { max: MAX_WINDOW_HOURS });
    }
    const zone = form.timezone.trim();
    if (!zone) found.timezone = t("settings.timeZone.required");
    // Until the list has loaded, the database alone checks the zone.
    else if (zones.length > 0 && !zoneSet.has(zone)) found.timezone = t("settings.timeZone.unknown", { zone });
    const hours = hoursProblem(form.days);
    if (hours) {
      found.hours = t(`settings.hours.problem.${hours.problem}`, { day: t(`day.${hours.day}`), number: hours.index + 1 });
      found.hoursAt = hours;
    }
    if (form.away.trim().length > MAX_MESSAGE) found.away = t("settings.message.tooLong", { max: MAX_MESSAGE });
    return { found, values: { business, fallback, windowHours, zone } };
  };

  const submit = async (event) => {
    event.preventDefault();
    setFailure(null);
    setStatus("");
    const { found, values } = check();
    setProblems(found);
    const first = Object.keys(FIELD_IDS).find((field) => found[field]);
    if (first) {
      const at = found.hoursAt;
      const target = first === "hours" && at ? `hours-${at.day}-${Math.min(at.index, 5)}-from` : FIELD_IDS[first];
      (document.getElementById(target) ?? document.getElementById(FIELD_IDS[first]))?.focus();
      return;
    }
    const next = {
      business_name: values.business,
      fallback_message: values.fallback,
      fallback_window: hoursToInterval(values.windowHours),
      timezone: values.zone,
      business_hours: daysToHours(form.days),
      away_message: form.away.trim() || null,
    };
    // Only what changed: an untouched setting is not written (nor checked) again.
    const changes = {};
    if (next.business_name !== row.business_name) changes.business_name = next.business_name;
    if (next.fallback_message !== row.fallback_message) changes.fallback_message = next.fallback_message;
    if (Math.round(values.windowHours * 60) !== Math.round((intervalToHours(row.fallback_window) ?? -1) * 60)) {
      changes.fallback_window = next.fallback_window;
    }
    if (form.caution !== cautionOf(row)) changes.faq_caution = form.caution;
    if (next.timezone !== row.timezone) changes.timezone = next.timezone;
    if (JSON.stringify(next.business_hours) !== JSON.stringify(daysToHours(hoursToDays(row.business_hours)))) {
      changes.business_hours = next.business_hours;
    }
    if (next.away_message !== (row.away_message ?? null)) changes.away_message = next.away_message;
    if (Object.keys(changes).length === 0) {
      setStatus(t("settings.nothingChanged"));
      return;
    }

    setBusy(true);
    try {
      const saved = await saveSettings(profile.id, changes);
      setRow(saved);
      setForm(formFrom(saved));
      setProblems({});
      setStatus(t("settings.saved"));
      onProfileSaved?.(saved);
    } catch (error) {
      if (error.field) {
        setProblems({ [error.field]: t(error.key) });
        document.getElementById(FIELD_IDS[error.field])?.focus();
      } else {
        setFailure(errorKey(error));
      }
    } finally {
      setBusy(false);
    }
  };

  const open = isOpenAt(form.days, form.timezone.trim(), now);
  const clock = localClock(now, form.timezone.trim());
  const noHours = form.days.every(({ ranges }) => ranges.length === 0);

  return (
    <section class="settings-screen" aria-labelledby="settings-title">
      <h1 class="section-title" id="settings-title">{t("settings.title")}</h1>
      <form class="settings-form" onSubmit={submit} noValidate>
        <section class="settings-card" aria-labelledby="settings-business-title">
          <h2 id="settings-business-title">{t("settings.business.title")}</h2>
          <Field id={FIELD_IDS.business} label={t("settings.business.name")} problem={problems.business}>
            <input
              id={FIELD_IDS.business}
              type="text"
              value={form.business}
              maxLength={MAX_BUSINESS_NAME}
              autocomplete="organization"
              aria-invalid={problems.business ? "true" : "false"}
              aria-describedby={problems.business ? `${FIELD_IDS.business}-error` : undefined}
              onInput={(event) => update("business", event.currentTarget.value)}
            />
          </Field>
          <div class="settings-field">
            <span class="settings-label" id="settings-number-label">{t("settings.number.label")}</span>
            <p class="settings-number" id="settings-number" aria-labelledby="settings-number-label">
              {row.whatsapp_number || t("settings.number.none")}
            </p>
            <p class="help">{t("settings.number.how")}</p>
          </div>
        </section>

        <section class="settings-card" aria-labelledby="settings-fallback-title">
          <h2 id="settings-fallback-title">{t("settings.fallback.title")}</h2>
          <p class="help">{t("settings.fallback.intro")}</p>
          <Field id={FIELD_IDS.fallback} label={t("settings.fallback.label")} problem={problems.fallback}
            help={t("settings.message.count", { count: form.fallback.trim().length, max: MAX_MESSAGE })}>
            <textarea
              id={FIELD_IDS.fallback}
              rows={3}
              maxLength={MAX_MESSAGE}
              value={form.fallback}
              aria-invalid={problems.fallback ? "true" : "false"}
              aria-describedby={`${FIELD_IDS.fallback}-${problems.fallback ? "error" : "help"}`}
              onInput={(event) => update("fallback", event.currentTarget.value)}
            />
          </Field>
          <Field id={FIELD_IDS.window} label={t("settings.window.label")} problem={problems.window}
            help={t("settings.window.help")}>
            <div class="settings-inline">
              <input
                id={FIELD_IDS.window}
                type="number"
                inputMode="decimal"
                min="0"
                max={MAX_WINDOW_HOURS}
                step="any"
                value={form.window}
                aria-invalid={problems.window ? "true" : "false"}
                aria-describedby={`${FIELD_IDS.window}-${problems.window ? "error" : "help"}`}
                onInput={(event) => update("window", event.currentTarget.value)}
              />
              <span>{t("settings.window.unit")}</span>
            </div>
          </Field>
        </section>

        <fieldset class="settings-card settings-caution" aria-describedby="settings-caution-intro">
          <legend class="settings-legend">
            <h2 id={FIELD_IDS.caution} tabIndex={-1}>{t("settings.caution.title")}</h2>
          </legend>
          <p class="help" id="settings-caution-intro">{t("settings.caution.intro")}</p>
          {FAQ_CAUTIONS.map((choice) => {
            const text = CAUTION_TEXT[choice]();
            const id = `settings-caution-${choice}`;
            return (
              <div class="settings-choice" key={choice}>
                <input
                  type="radio"
                  id={id}
                  name="settings-caution"
                  value={choice}
                  checked={form.caution === choice}
                  aria-describedby={`${id}-help`}
                  onChange={() => update("caution", choice)}
                />
                <label for={id}>{text.name}</label>
                <p class="help" id={`${id}-help`}>{text.help}</p>
              </div>
            );
          })}
          {problems.caution && <p class="field-error" id="settings-caution-error" role="alert">{problems.caution}</p>}
        </fieldset>

        <section class="settings-card" aria-labelledby="settings-hours-title">
          <h2 id="settings-hours-title">{t("settings.hours.title")}</h2>
          <p class="help">{t("settings.hours.intro")}</p>
          <Field id={FIELD_IDS.timezone} label={t("settings.timeZone.label")} problem={problems.timezone}
            help={clock ? t("settings.timeZone.now", { time: clock.time }) : t("settings.timeZone.help")}>
            <input
              id={FIELD_IDS.timezone}
              type="text"
              list="settings-timezone-options"
              value={form.timezone}
              autocomplete="off"
              spellcheck={false}
              aria-invalid={problems.timezone ? "true" : "false"}
              aria-describedby={`${FIELD_IDS.timezone}-${problems.timezone ? "error" : "help"}`}
              onInput={(event) => update("timezone", event.currentTarget.value)}
            />
            <datalist id="settings-timezone-options">
              {zones.map((zone) => <option key={zone} value={zone} />)}
            </datalist>
          </Field>
          <h3 class="settings-subtitle" id={FIELD_IDS.hours} tabIndex={-1}>{t("settings.hours.legend")}</h3>
          <HoursEditor
            days={form.days}
            onChange={(days) => {
              update("days", days);
              setProblems((current) => ({ ...current, hours: null, hoursAt: null }));
            }}
            problem={problems.hoursAt}
            describedBy="settings-hours-note"
          />
          {problems.hours && <p class="field-error" id="settings-hours-error" role="alert">{problems.hours}</p>}
          <p class="help" id="settings-hours-note">
            {noHours ? t("settings.hours.noneMeansAlways") : t("settings.hours.rangesHelp")}
          </p>
          {open !== null && (
            <p class={`settings-open-now ${open ? "open" : "closed"}`} id="settings-open-now" aria-live="polite">
              {t(open ? "settings.hours.openNow" : "settings.hours.closedNow", { time: clock.time })}
            </p>
          )}
          <Field id={FIELD_IDS.away} label={t("settings.away.label")} problem={problems.away}
            help={noHours && form.away.trim() ? t("settings.away.neverWithoutHours") : t("settings.away.help")}>
            <textarea
              id={FIELD_IDS.away}
              rows={3}
              maxLength={MAX_MESSAGE}
              value={form.away}
              placeholder={t("settings.away.placeholder")}
              aria-invalid={problems.away ? "true" : "false"}
              aria-describedby={`${FIELD_IDS.away}-${problems.away ? "error" : "help"}`}
              onInput={(event) => update("away", event.currentTarget.value)}
            />
          </Field>
        </section>

        <section class="settings-card" aria-labelledby="settings-language-title">
          <h2 id="settings-language-title">{t("settings.language.title")}</h2>
          <div class="settings-field">
            <label for="settings-language" class="settings-label">{t("settings.language.label")}</label>
            <LanguagePicker id="settings-language" visibleLabel />
            <p class="help">{t("settings.language.help")}</p>
          </div>
        </section>

        <div class="settings-actions">
          {failure && <p class="field-error" role="alert">{t(failure)}</p>}
          <p class="settings-status" role="status">{status}</p>
          <button type="submit" class="button primary" id="settings-save" disabled={busy}>
            {busy ? t("settings.saving") : t("settings.save")}
          </button>
        </div>
      </form>
    </section>
  );
}

function Field({ id, label, problem, help, children }) {
  return (
    <div class="settings-field">
      <label for={id} class="settings-label">{label}</label>
      {children}
      {problem
        ? <p class="field-error" id={`${id}-error`}>{problem}</p>
        : help && <p class="help" id={`${id}-help`}>{help}</p>}
    </div>
  );
}
