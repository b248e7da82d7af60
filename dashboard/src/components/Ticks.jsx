// Delivery status of an outbound message, as WhatsApp shows it: a clock while sending,
// one tick sent, two delivered, two blue read, and a warning with the reason on failure.
import { t } from "../i18n/index.js";

const STATES = {
  queued: "sending",
  sending: "sending",
  sent: "sent",
  delivered: "delivered",
  read: "read",
  failed: "failed",
  undelivered: "failed",
};

function Clock() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" stroke-width="1.6" />
      <path d="M8 4.5V8l2.4 1.6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" />
    </svg>
  );
}

function Check({ double }) {
  return (
    <svg viewBox="0 0 20 14" width={double ? 19 : 14} height="14" aria-hidden="true">
      <path d="M1.5 7.5l3.6 3.6L12 3.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
      {double && <path d="M8.6 10.6l.5.5L16.5 3.5" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />}
    </svg>
  );
}

export function Ticks({ status }) {
  const state = STATES[status] ?? "sending";
  const label = t(`ticks.${state}`);
  return (
    <span class={`ticks ticks-${state}`} data-status={state} title={label}>
      {state === "sending" && <Clock />}
      {state === "sent" && <Check />}
      {(state === "delivered" || state === "read") && <Check double />}
      {state === "failed" && <span aria-hidden="true">⚠</span>}
      <span class="visually-hidden">{label}</span>
    </span>
  );
}

/** Why a message failed, in the owner's words. */
export function failureReason(message) {
  const known = {
    63016: "failure.outsideWindow",
    63024: "failure.invalidRecipient",
    63003: "failure.invalidRecipient",
    21211: "failure.invalidRecipient",
    21610: "failure.optedOut",
    timeout: "failure.timeout",
  };
  const key = known[message.error_code];
  if (key) return t(key);
  return message.error ? t("failure.withReason", { reason: message.error }) : t("failure.unknown");
}
