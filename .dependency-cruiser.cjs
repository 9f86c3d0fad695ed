// Dependency rules: no cycles, packages import each other only through their public entry
// (`@eddy/x`, never `@eddy/x/src/...` or `../other-package`), and only downwards in the layering
// of DESIGN.md: common <- api <- state <- checkpoint <- runtime <- network/connectors <- jobmanager/taskmanager <- cli.
const LAYERS = {
  common: [],
  api: ['common'],
  state: ['common', 'api'],
  checkpoint: ['common', 'api', 'state'],
  runtime: ['common', 'api', 'state', 'checkpoint'],
  network: ['common', 'api', 'state', 'checkpoint', 'runtime'],
  connectors: ['common', 'api'],
  jobmanager: ['common', 'api', 'state', 'checkpoint', 'runtime', 'network'],
  taskmanager: ['common', 'api', 'state', 'checkpoint', 'runtime', 'network', 'connectors'],
  cli: [
    'common',
    'api',
    'state',
    'checkpoint',
    'runtime',
    'network',
    'connectors',
    'jobmanager',
    'taskmanager',
  ],
};

const upward = Object.entries(LAYERS).map(([pkg, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((p) => p !== pkg && !allowed.includes(p));
  return {
    name: `no-upward-from-${pkg}`,
    comment: `@eddy/${pkg} may depend only on: ${allowed.join(', ') || 'nothing'}`,
    severity: 'error',
    from: { path: `^packages/${pkg}/` },
    to: { path: `^packages/(${forbidden.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'type-only cycles (a stream type naming its environment) are fine; runtime cycles are not',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-deep-imports',
      comment: 'import another package through its entry point (@eddy/x), not its files',
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/([^/]+)/src/', pathNot: ['^packages/$1/', '^packages/[^/]+/src/index\\.ts$'] },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)generated/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    preserveSymlinks: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
