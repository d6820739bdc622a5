import type { Participant, RollupView } from './api-types.ts';

/** What the map colours countries by: their reporting status, or one metric's value. */
export type MapMode = { kind: 'status' } | { kind: 'metric'; metric: string };

/**
 * The world map of an operation's participants (issue 16 §1): every participant as a shape or,
 * when a world map hides it, a dot; coloured by reporting status or by a metric. Work in progress:
 * the signature is final, the drawing follows.
 */
export class WorldMap {
  readonly #host: HTMLElement;
  readonly #interactive: boolean;
  #mode: MapMode = { kind: 'status' };

  constructor(host: HTMLElement, options: { interactive?: boolean } = {}) {
    this.#host = host;
    this.#interactive = options.interactive ?? true;
  }

  /** Shows a rollup of these participants, updating the drawing in place. */
  update(rollup: RollupView, participants: Participant[]): void {
    void rollup;
    void participants;
    void this.#host;
    void this.#interactive;
  }

  /** Colours by reporting status or by a metric's value. */
  setMode(mode: MapMode): void {
    this.#mode = mode;
  }
}
