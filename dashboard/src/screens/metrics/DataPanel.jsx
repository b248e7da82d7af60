// "Tus datos": every client and their labels as a CSV file, and where to erase a client.
import { useState } from "preact/hooks";
import { exportClients } from "../../data/export.js";
import { errorKey } from "../../errors.js";
import { t } from "../../i18n/index.js";
import { number } from "./format.js";

export function DataPanel({ timeZone }) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState(null);
  const [error, setError] = useState(null);

  const exportAll = async () => {
    setBusy(true);
    setError(null);
    setStatus(t("data.export.working"));
    try {
      const count = await exportClients(timeZone, (read) => {
        setStatus(t("data.export.progress", { count: number(read) }));
      });
      setStatus(t("data.export.clientsDone", { count }));
    } catch (failure) {
      setStatus(null);
      setError(errorKey(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="metric-card data-panel" aria-labelledby="data-title">
      <h2 id="data-title">{t("data.title")}</h2>
      <p>{t("data.exportText")}</p>
      <p>
        <button type="button" class="button subtle" id="export-clients" onClick={exportAll} disabled={busy}>
          {t("data.export.clients")}
        </button>
      </p>
      <p class="muted" role="status" id="export-status">{status}</p>
      {error && <p class="client-data-error" role="alert">{t(error)}</p>}
      <h3>{t("data.eraseTitle")}</h3>
      <p>{t("data.eraseText")}</p>
    </section>
  );
}
