/**
 * The command property of the integration suite (one model under any sequence of uploads,
 * deliveries with crashes, status changes, redefinitions and rebuilds), run here on 1,000 random
 * sequences: the faults project sets OPTALLY_COMMAND_RUNS (200 by default in `npm test`).
 */
import '../integration/commands.property.test.ts';
