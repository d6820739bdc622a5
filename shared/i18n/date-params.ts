/**
 * Parameters holding a date (`YYYY-MM-DD`) that messages may also show spelled out: for each, the
 * renderer adds `{name}Date`, the date in the reader's language ("10 novembre 2025"). The ISO form
 * stays available, as it is what a return must contain.
 */
export const DATE_PARAMS = ['start', 'end'] as const;
