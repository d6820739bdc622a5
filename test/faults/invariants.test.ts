/**
 * The invariant property of the integration suite (exactly-once totals under any delivery
 * schedule), run here on 1,000 random schedules: the faults project sets OPTALLY_PROPERTY_RUNS,
 * which the property reads (200 by default in `npm test`).
 */
import '../integration/invariants.property.test.ts';
