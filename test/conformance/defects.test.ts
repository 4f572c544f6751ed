import { LIFECYCLES } from '../../src/lifecycles.js';
import { defectChecks } from '../harness/conformance.js';

// Every registered lifecycle: each literal-defect and broken variant caught, every property shown to bite,
// and the committed errata pages current.
defectChecks(LIFECYCLES, { errataFolder: 'docs/errata' });
