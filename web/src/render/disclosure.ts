// A button that opens a panel below it and fills the panel on demand. Which panels are open (by key) lives in
// a set the caller keeps, so a panel stays open, and is filled again, when a live update rebuilds its card.
import { h } from "../dom.ts";

export interface Disclosure {
  /** The panel's element id (also the button's aria-controls). */
  id: string;
  key: string;
  open: Set<string>;
  label(open: boolean): string;
  /** Fills `panel`; `stillOpen()` turns false when the operator closed it meanwhile (drop the late answer). */
  fill(panel: HTMLElement, stillOpen: () => boolean): Promise<void>;
}

export function disclosure(d: Disclosure, className: string): HTMLElement {
  const panel = h("div", { class: className, attrs: { id: d.id, hidden: true } });
  const button = h("button", { class: "link-button", attrs: { type: "button", "aria-expanded": "false", "aria-controls": d.id } });
  const label = () => (button.textContent = d.label(d.open.has(d.key)));
  const show = () => {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    void d.fill(panel, () => d.open.has(d.key));
  };
  button.addEventListener("click", () => {
    if (d.open.has(d.key)) {
      d.open.delete(d.key);
      panel.hidden = true;
      panel.replaceChildren();
      button.setAttribute("aria-expanded", "false");
    } else {
      d.open.add(d.key);
      show();
    }
    label();
  });
  label();
  if (d.open.has(d.key)) show();
  return h("div", { class: `${className}-wrap` }, button, panel);
}
