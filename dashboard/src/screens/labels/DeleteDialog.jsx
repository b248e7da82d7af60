// Confirming a label's deletion: how many clients carry it, and that their conversations
// stay. A modal <dialog>: focus stays inside, Escape cancels.
import { useEffect, useRef, useState } from "preact/hooks";
import { LabelChip } from "../../components/LabelChip.jsx";
import { deleteLabel } from "../../data/labels.js";
import { errorKey } from "../../errors.js";
import { t } from "../../i18n/index.js";

export function DeleteDialog({ label, clients, onDeleted, onClose }) {
  const dialog = useRef(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal?.();
    document.getElementById("delete-label-cancel")?.focus();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await deleteLabel(label.id);
      onDeleted(label);
    } catch (error) {
      setFailure(errorKey(error));
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={dialog}
      class="labels-dialog"
      aria-labelledby="delete-label-title"
      aria-describedby="delete-label-text"
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id="delete-label-title">{t("labels.delete.title", { name: label.name })}</h2>
      <p><LabelChip label={label} /></p>
      <p id="delete-label-text">
        {clients > 0 ? t("labels.delete.carried", { count: clients }) : t("labels.delete.unused")}
        {" "}{t("labels.delete.keepsConversations")}
      </p>
      {failure && <p class="field-error" role="alert">{t(failure)}</p>}
      <div class="labels-form-actions">
        <button type="button" id="delete-label-cancel" class="button subtle" onClick={onClose} disabled={busy}>
          {t("labels.form.cancel")}
        </button>
        <button type="button" id="delete-label-confirm" class="button danger" onClick={confirm} disabled={busy}>
          {t("labels.delete.confirm")}
        </button>
      </div>
    </dialog>
  );
}
