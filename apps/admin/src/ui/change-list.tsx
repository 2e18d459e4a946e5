/**
 * A JourneyChange list for people: grouped by journey, stage and SuccessCycle, each line with a
 * + / − / ~ marker that is also said in words.
 */
import type { JourneyChange } from './api-types.js';
import { countChanges, groupJourneyChanges } from './journey-changes.js';

/** The grouped changes, or a sentence when there are none. */
export function JourneyChangeList({ changes, emptyText }: { changes: JourneyChange[]; emptyText: string }) {
  if (changes.length === 0) return <p>{emptyText}</p>;
  const counts = countChanges(changes);
  return (
    <div className="change-list">
      <p>
        {counts['+']} added, {counts['−']} removed, {counts['~']} changed.
      </p>
      {groupJourneyChanges(changes).map((group) => (
        <section key={group.id}>
          <h4>{group.title}</h4>
          <ul className="diff">
            {group.changes.map((marked, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: changes have no id and keep the diff's order
              <li key={index} className={`diff-line diff-${marked.markerText.toLowerCase()}`}>
                <span className="diff-marker" aria-hidden="true">
                  {marked.marker}
                </span>
                <span className="visually-hidden">{marked.markerText}: </span>
                {marked.change.summary}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
