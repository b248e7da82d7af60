// Labels: the owner's own labels and the two built-in ones, each with how many clients
// carry it (a link to the inbox filtered by it). Create, rename, recolour, deactivate and
// delete; an automatic label's keywords are edited as chips. Built-in labels are renamed
// and deactivated but never deleted (the database refuses it too). Live: any change to
// labels or to who carries them refreshes the list and the counts.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { LabelChip } from "../components/LabelChip.jsx";
import { fetchLabelCounts, fetchLabelRows, updateLabel } from "../data/labels.js";
import { errorKey } from "../errors.js";
import { t } from "../i18n/index.js";
import { onChange, onResync } from "../live.js";
import { labelHref } from "../router.js";
import { DeleteDialog } from "./labels/DeleteDialog.jsx";
import { LabelForm } from "./labels/LabelForm.jsx";
import "./labels.css";

const REFRESH_DELAY_MS = 150;
const NO_COUNT = { clients: 0, activeClients: 0 };

function byName(a, b) {
  return a.name.localeCompare(b.name);
}

export function Labels() {
  const [rows, setRows] = useState(null);
  const [counts, setCounts] = useState({});
  const [loadError, setLoadError] = useState(null);
  const [editing, setEditing] = useState(null);
  const [deleting, setDeleting] = useState(null);
  const [rowError, setRowError] = useState(null);
  const [announcement, setAnnouncement] = useState("");
  const timer = useRef(null);

  const load = useCallback(async () => {
    try {
      const [loadedRows, loadedCounts] = await Promise.all([fetchLabelRows(), fetchLabelCounts()]);
      setRows(loadedRows);
      setCounts(loadedCounts);
      setLoadError(null);
    } catch (error) {
      setLoadError(errorKey(error));
    }
  }, []);

  const refreshSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(load, REFRESH_DELAY_MS);
  }, [load]);

  useEffect(() => {
    load();
    const stopChanges = onChange((change) => {
      if (change.table === "labels" || change.table === "client_labels" || change.table === "clients") refreshSoon();
    });
    const stopResync = onResync(refreshSoon);
    return () => {
      clearTimeout(timer.current);
      stopChanges();
      stopResync();
    };
  }, [load, refreshSoon]);

  const saved = (row, message) => {
    setRows((current) => [...(current ?? []).filter((other) => other.id !== row.id), row]);
    setEditing(null);
    setAnnouncement(message);
    refreshSoon();
    // Back to the label just saved, so keyboard users keep their place.
    setTimeout(() => document.getElementById(`label-edit-${row.id}`)?.focus(), 0);
  };

  const toggleActive = async (label) => {
    setRowError(null);
    try {
      const row = await updateLabel(label.id, { active: !label.active });
      setRows((current) => current.map((other) => (other.id === row.id ? row : other)));
      setAnnouncement(t(row.active ? "labels.announce.activated" : "labels.announce.deactivated", { name: row.name }));
    } catch (error) {
      setRowError({ id: label.id, key: errorKey(error) });
    }
  };

  const deleted = (label) => {
    setDeleting(null);
    setRows((current) => current.filter((other) => other.id !== label.id));
    setAnnouncement(t("labels.announce.deleted", { name: label.name }));
    refreshSoon();
    document.getElementById("new-label-button")?.focus();
  };

  if (loadError && !rows) {
    return (
      <section class="labels-screen">
        <h1 class="section-title">{t("labels.screen.title")}</h1>
        <p class="alert" role="alert">{t(loadError)}</p>
        <button type="button" class="button subtle" onClick={load}>{t("action.retry")}</button>
      </section>
    );
  }

  const own = (rows ?? []).filter((label) => !label.builtin).sort(byName);
  const builtins = (rows ?? []).filter((label) => label.builtin).sort(byName);
  const cardProps = {
    counts, editing, rowError, labels: rows ?? [],
    onEdit: (label) => setEditing(label.id),
    onCancel: () => setEditing(null),
    onSaved: (row) => saved(row, t("labels.announce.saved", { name: row.name })),
    onToggle: toggleActive,
    onDelete: (label) => setDeleting(label),
  };

  return (
    <section class="labels-screen" aria-labelledby="labels-screen-title">
      <div class="labels-head">
        <h1 class="section-title" id="labels-screen-title">{t("labels.screen.title")}</h1>
        {editing !== "new" && (
          <button type="button" id="new-label-button" class="button primary" onClick={() => setEditing("new")}>
            {t("labels.screen.new")}
          </button>
        )}
      </div>
      <p class="labels-intro">{t("labels.screen.intro")}</p>
      <p class="visually-hidden" role="status">{announcement}</p>

      {editing === "new" && (
        <div class="labels-card labels-new">
          <LabelForm
            label={null}
            labels={rows ?? []}
            onSaved={(row) => saved(row, t("labels.announce.created", { name: row.name }))}
            onCancel={() => {
              setEditing(null);
              setTimeout(() => document.getElementById("new-label-button")?.focus(), 0);
            }}
          />
        </div>
      )}

      {rows === null ? (
        <p class="muted" role="status">{t("labels.screen.loading")}</p>
      ) : (
        <>
          <h2 class="labels-group-title" id="own-labels-title">{t("labels.screen.own")}</h2>
          {own.length === 0 ? (
            <p class="muted labels-empty">{t("labels.screen.noneOwn")}</p>
          ) : (
            <ul class="labels-list" aria-labelledby="own-labels-title">
              {own.map((label) => <LabelCard key={label.id} label={label} {...cardProps} />)}
            </ul>
          )}
          <h2 class="labels-group-title" id="builtin-labels-title">{t("labels.screen.builtins")}</h2>
          <p class="help labels-group-help">{t("labels.screen.builtinsHelp")}</p>
          <ul class="labels-list" aria-labelledby="builtin-labels-title">
            {builtins.map((label) => <LabelCard key={label.id} label={label} {...cardProps} />)}
          </ul>
        </>
      )}

      {deleting && (
        <DeleteDialog
          label={deleting}
          clients={(counts[deleting.id] ?? NO_COUNT).clients}
          onDeleted={deleted}
          onClose={() => {
            const id = deleting.id;
            setDeleting(null);
            setTimeout(() => document.getElementById(`label-delete-${id}`)?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

function LabelCard({ label, counts, editing, rowError, labels, onEdit, onCancel, onSaved, onToggle, onDelete }) {
  const count = counts[label.id] ?? NO_COUNT;
  const archived = count.clients - count.activeClients;
  if (editing === label.id) {
    return (
      <li class="labels-card" data-label-id={label.id}>
        <LabelForm label={label} labels={labels} onSaved={onSaved} onCancel={() => {
          onCancel();
          setTimeout(() => document.getElementById(`label-edit-${label.id}`)?.focus(), 0);
        }} />
      </li>
    );
  }
  return (
    <li class={`labels-card${label.active ? "" : " inactive"}`} data-label-id={label.id}>
      <div class="labels-card-main">
        <div class="labels-card-title">
          <LabelChip label={label} />
          <span class="labels-kind-tag">
            {label.builtin ? t("labels.kind.builtin") : t(label.type === "auto" ? "labels.kind.auto" : "labels.kind.manual")}
          </span>
          {!label.active && <span class="labels-off-tag">{t("labels.card.inactive")}</span>}
        </div>
        {label.builtin && <p class="help">{t(`labels.builtin.${label.builtin}`)}</p>}
        {label.type === "auto" && !label.builtin && (
          <p class="labels-rule">
            <span class="help">{t("labels.card.rule")}</span>{" "}
            {label.keywords.map((word, index) => (
              <span class="labels-keyword readonly" key={`${word}-${index}`}>{word}</span>
            ))}
          </p>
        )}
        <p class="labels-count">
          {count.clients > 0 ? (
            <a href={labelHref(label.id)} class="labels-count-link" id={`label-count-${label.id}`}
              title={t("labels.card.openInbox", { name: label.name })}>
              {t("labels.card.clients", { count: count.clients })}
            </a>
          ) : (
            <span class="muted" id={`label-count-${label.id}`}>{t("labels.card.noClients")}</span>
          )}
          {archived > 0 && <span class="muted"> {t("labels.card.archived", { count: archived })}</span>}
        </p>
        {rowError?.id === label.id && <p class="field-error" role="alert">{t(rowError.key)}</p>}
      </div>
      <div class="labels-card-actions">
        <button type="button" class="button subtle" id={`label-edit-${label.id}`} onClick={() => onEdit(label)}
          aria-label={t("labels.card.editNamed", { name: label.name })}>
          {t("labels.card.edit")}
        </button>
        <button type="button" class="button subtle" id={`label-toggle-${label.id}`} onClick={() => onToggle(label)}
          aria-label={t(label.active ? "labels.card.deactivateNamed" : "labels.card.activateNamed", { name: label.name })}>
          {t(label.active ? "labels.card.deactivate" : "labels.card.activate")}
        </button>
        {!label.builtin && (
          <button type="button" class="button subtle danger-text" id={`label-delete-${label.id}`}
            onClick={() => onDelete(label)} aria-label={t("labels.card.deleteNamed", { name: label.name })}>
            {t("labels.card.delete")}
          </button>
        )}
      </div>
    </li>
  );
}
