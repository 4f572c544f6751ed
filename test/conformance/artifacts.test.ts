import { GENERATOR } from '../../src/cli.js';
import { LIFECYCLES } from '../../src/lifecycles.js';
import { artifactChecks } from '../harness/conformance.js';

// Every registered lifecycle: vectors, docs/vectors.md and diagrams current, vectors replayable, every
// rejection reason shown, refusals change nothing, machines annotated and their control tables exact.
artifactChecks(LIFECYCLES, { vectorsFolder: 'vectors', vectorsDoc: 'docs/vectors.md', diagramsFolder: 'docs/diagrams', generator: GENERATOR });
