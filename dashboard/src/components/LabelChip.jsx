import { textColorOn } from "../format.js";
import { t } from "../i18n/index.js";

/** A label as a coloured chip; with `onRemove`, a button to take it off. */
export function LabelChip({ label, onRemove, disabled }) {
  const style = { background: label.color, color: textColorOn(label.color) };
  return (
    <span class="chip" style={style} data-label-id={label.id}>
      {label.name}
      {onRemove && (
        <button
          type="button"
          class="chip-remove"
          style={{ color: style.color }}
          onClick={onRemove}
          disabled={disabled}
          aria-label={t("labels.remove", { label: label.name })}
          title={t("labels.remove", { label: label.name })}
        >
          ×
        </button>
      )}
    </span>
  );
}
