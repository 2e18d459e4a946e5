/**
 * A searchable select: a text input with a listbox popup, following the WAI-ARIA combobox pattern
 * (arrows move, Enter picks, Escape closes, `aria-activedescendant` names the active option), so the
 * field picker works with a keyboard and a screen reader, and tests can drive it by role.
 */
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';

/** One choice. */
export interface ComboboxOption {
  /** Unique among the options. */
  id: string;
  label: string;
  /** Secondary text (internal name, type). */
  detail?: string;
}

/** Options under one heading; a group without a label is shown first without a heading. */
export interface ComboboxGroup {
  label?: string;
  options: ComboboxOption[];
}

/** Props of {@link Combobox}. */
export interface ComboboxProps {
  /** The input's id, for its `<label htmlFor>`. */
  id: string;
  /** The options matching the typed text. */
  search: (query: string) => ComboboxGroup[];
  /** The chosen option's id. */
  value: string;
  /** The chosen option's text, shown while the popup is closed. */
  valueLabel: string;
  onChange: (id: string) => void;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
}

/** The searchable select. */
export function Combobox({
  id,
  search,
  value,
  valueLabel,
  onChange,
  placeholder,
  describedBy,
  invalid,
}: ComboboxProps) {
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listbox = useRef<HTMLDivElement>(null);
  const prefix = useId();
  const listboxId = `${prefix}-listbox`;

  const groups = useMemo(() => (open ? search(query) : []), [open, query, search]);
  const flat = useMemo(() => groups.flatMap((group) => group.options), [groups]);
  const optionId = (index: number) => `${prefix}-option-${index}`;
  const activeOption = open && flat.length > 0 ? Math.min(active, flat.length - 1) : -1;

  useEffect(() => {
    if (activeOption < 0) return;
    listbox.current?.querySelector(`[id="${optionId(activeOption)}"]`)?.scrollIntoView({ block: 'nearest' });
  });

  const openList = () => {
    if (open) return;
    setOpen(true);
    setQuery('');
    setActive(0);
  };
  const pick = (option: ComboboxOption | undefined) => {
    if (option) onChange(option.id);
    setOpen(false);
    setQuery('');
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        if (!open) openList();
        else setActive((index) => Math.min(index + 1, flat.length - 1));
        break;
      case 'ArrowUp':
        event.preventDefault();
        if (!open) openList();
        else setActive((index) => Math.max(index - 1, 0));
        break;
      case 'Home':
        if (open) {
          event.preventDefault();
          setActive(0);
        }
        break;
      case 'End':
        if (open) {
          event.preventDefault();
          setActive(Math.max(flat.length - 1, 0));
        }
        break;
      case 'Enter':
        if (open) {
          // Inside a form, Enter picks; it must not submit the form.
          event.preventDefault();
          pick(activeOption >= 0 ? flat[activeOption] : undefined);
        }
        break;
      case 'Escape':
        if (open) {
          event.preventDefault();
          // Keep an enclosing <dialog> open: Escape here only closes the list.
          event.stopPropagation();
          setOpen(false);
          setQuery('');
        }
        break;
      case 'Tab':
        setOpen(false);
        setQuery('');
        break;
    }
  };

  let index = -1;
  return (
    <div className="combobox">
      <input
        id={id}
        type="text"
        role="combobox"
        autoComplete="off"
        spellCheck={false}
        aria-expanded={open}
        aria-controls={listboxId}
        aria-autocomplete="list"
        aria-activedescendant={activeOption >= 0 ? optionId(activeOption) : undefined}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        placeholder={open ? 'Type to search fields' : placeholder}
        value={open ? query : valueLabel}
        // The cell can be narrower than the chosen field's name; hovering shows all of it.
        title={open ? undefined : valueLabel}
        onChange={(event) => {
          if (!open) setOpen(true);
          setQuery(event.target.value);
          setActive(0);
        }}
        onFocus={(event) => event.currentTarget.select()}
        onClick={openList}
        onKeyDown={onKeyDown}
        onBlur={() => {
          setOpen(false);
          setQuery('');
        }}
      />
      <div id={listboxId} ref={listbox} role="listbox" className="combobox-list" hidden={!open}>
        {open && flat.length === 0 && <div className="combobox-empty">No field matches “{query}”.</div>}
        {groups.map((group, groupIndex) => {
          const headingId = `${prefix}-group-${groupIndex}`;
          return (
            // A listbox may only hold options and groups of options; <fieldset> would break that.
            // biome-ignore lint/a11y/useSemanticElements: see above
            <div
              key={group.label ?? `group-${groupIndex}`}
              role="group"
              aria-labelledby={group.label ? headingId : undefined}
            >
              {group.label && (
                <div id={headingId} role="presentation" className="combobox-group">
                  {group.label}
                </div>
              )}
              {group.options.map((option) => {
                index += 1;
                const optionIndex = index;
                return (
                  <div
                    key={option.id}
                    id={optionId(optionIndex)}
                    role="option"
                    tabIndex={-1}
                    aria-selected={option.id === value}
                    className={optionIndex === activeOption ? 'combobox-option active' : 'combobox-option'}
                    // mousedown would blur the input (closing the list) before the click lands.
                    onMouseDown={(event) => event.preventDefault()}
                    onClick={() => pick(option)}
                    onKeyDown={() => undefined}
                    onMouseMove={() => setActive(optionIndex)}
                  >
                    <span>{option.label}</span>
                    {option.detail && <span className="combobox-detail">{option.detail}</span>}
                  </div>
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
