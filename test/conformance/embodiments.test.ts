import { LIFECYCLES } from '../../src/lifecycles.js';
import { embodimentChecks } from '../harness/conformance.js';

// Every registered lifecycle, no lifecycle-specific code: exhaustive with pinned counts and full transition
// coverage, and model-based runs, for each embodiment variant.
embodimentChecks(LIFECYCLES);
