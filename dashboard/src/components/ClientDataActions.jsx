// A client's data rights, in the conversation's header: export the conversation as CSV,
// and erase the client with all their messages (confirmed by typing their name or the
// confirmation word). After an erasure the inbox drops the conversation live.
import { useEffect, useRef, useState } from "preact/hooks";
import { eraseClient, exportConversation } from "../data/export.js";
import { errorKey } from "../errors.js";
import { t } from "../i18n/index.js";
import { navigate } from "../router.js";
import "../screens/metrics.css";

function normalized(text) {
  return String(text ?? "").trim().replace(/\s+/g, " ").toLocaleLowerCase();
}

/** Whether `typed` confirms erasing `client`: their name, or the confirmation word. */
export function confirmsErasure(typed, client) {
  const answer = normalized(typed);
  return answer !== "" && (answer === normalized(client.name) || answer === normalized(t("data.erase.word")));
}

export function ClientDataActions({ client, timeZone }) {
  const menu = useRef(null);
  const dialog = useRef(null);
  const [exporting, setExporting] = useState(false);
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);

  // Escape or a click elsewhere closes the menu, as the account menu does.
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

  const closeMenu = () => {
    if (menu.current) menu.current.open = false;
  };

  const exportIt = async () => {
    setExporting(true);
    setError(null);
    setStatus(t("data.export.working"));
    try {
      const count = await exportConversation(client, timeZone);
      setStatus(t("data.export.conversationDone", { count }));
      closeMenu();
    } catch (failure) {
      setStatus(null);
      setError(errorKey(failure));
    } finally {
      setExporting(false);
    }
  };

  const openErase = () => {
    closeMenu();
    setError(null);
    dialog.current?.showModal();
  };

  return (
    <div class="client-data">
      <details class="client-data-menu" id="client-data-menu" ref={menu}>
        <summary class="icon-button" title={t("data.menu")}>
          <span aria-hidden="true">⋯</span>
          <span class="visually-hidden">{t("data.menu")}</span>
        </summary>
        <div class="client-data-panel">
          <button type="button" class="button subtle" id="export-conversation" onClick={exportIt} disabled={exporting}>
            {exporting ? t("data.export.working") : t("data.export.conversation")}
          </button>
          <button type="button" class="button danger" id="erase-client" onClick={openErase}>
            {t("data.erase.button")}
          </button>
        </div>
      </details>
      <p class="visually-hidden" role="status" id="client-data-status">{status}</p>
      {error && <p class="client-data-error" role="alert">{t(error)}</p>}
      <EraseDialog dialogRef={dialog} client={client} />
    </div>
  );
}

function EraseDialog({ dialogRef, client }) {
  const [typed, setTyped] = useState("");
  const [erasing, setErasing] = useState(false);
  const [error, setError] = useState(null);
  const confirmed = confirmsErasure(typed, client);

  const reset = () => {
    setTyped("");
    setError(null);
  };

  const cancel = () => {
    dialogRef.current?.close();
    reset();
  };

  const submit = async (event) => {
    event.preventDefault();
    if (!confirmed || erasing) return;
    setErasing(true);
    setError(null);
    try {
      await eraseClient(client.id);
      dialogRef.current?.close();
      reset();
      navigate("#/");
    } catch (failure) {
      setError(errorKey(failure));
    } finally {
      setErasing(false);
    }
  };

  return (
    <dialog class="erase-dialog" id="erase-dialog" ref={dialogRef} aria-labelledby="erase-title" onClose={reset}>
      <form onSubmit={submit}>
        <h2 id="erase-title">{t("data.erase.title", { name: client.name })}</h2>
        <p>{t("data.erase.what")}</p>
        <p>{t("data.erase.optOut")}</p>
        <p class="muted">{t("data.erase.exportFirst")}</p>
        <label for="erase-confirm">{t("data.erase.confirmLabel", { name: client.name, word: t("data.erase.word") })}</label>
        <input
          type="text"
          id="erase-confirm"
          autoComplete="off"
          value={typed}
          onInput={(event) => setTyped(event.currentTarget.value)}
        />
        {error && <p class="client-data-error" role="alert">{t(error)}</p>}
        <div class="erase-actions">
          <button type="button" class="button subtle" onClick={cancel} disabled={erasing}>{t("data.erase.cancel")}</button>
          <button type="submit" class="button danger" id="erase-confirm-button" disabled={!confirmed || erasing}>
            {erasing ? t("data.erase.working") : t("data.erase.confirm")}
          </button>
        </div>
      </form>
    </dialog>
  );
}
