// Lint: typescript-eslint's recommended rules with type information, over every TypeScript source, and the
// layering of docs/lifecycles.md: the model is an oracle that shares no code with what it checks, and the
// properties see the controller only through the lifecycle's abstraction module.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What model/<id>.ts may import: machine types, the shared command shapes, the closed reason list, hex, assert. */
const MODEL_MAY_IMPORT = ['machines/[^/]+', 'src/[^/]+/events', 'src/rejection', 'src/hex', 'src/assert'];
/** What properties/<id>.ts may import: the model, machine types, command shapes, the abstraction, Property, hex. */
const PROPERTIES_MAY_IMPORT = ['model/[^/]+', 'machines/[^/]+', 'src/[^/]+/events', 'src/[^/]+/abstraction', 'src/lifecycle', 'src/hex'];

/** A no-restricted-imports rule that refuses every relative import but those of `allowed` (paths from the root, no `.js`). */
function onlyImports(allowed, why) {
  return ['error', { patterns: [{ regex: `^\\.\\.?/(?!(?:${allowed.join('|')})\\.js$)`, message: why }] }];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'docs/', 'src/scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name=/^(only|skip|todo)$/]", message: 'focused, skipped or todo tests hide failures' }],
    },
  },
  {
    files: ['model/**/*.ts'],
    rules: { 'no-restricted-imports': onlyImports(MODEL_MAY_IMPORT, 'model/ is the oracle: it imports no controller code, and decides acceptance by its own rules (docs/lifecycles.md).') },
  },
  {
    files: ['properties/**/*.ts'],
    rules: { 'no-restricted-imports': onlyImports(PROPERTIES_MAY_IMPORT, 'properties/ read the controller only through src/<id>/abstraction.ts (docs/lifecycles.md).') },
  },
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly' } },
  },
);
