// Three projects so a developer can run the fast unit suite alone (`--selectProjects unit`).
const base = {
  extensionsToTreatAsEsm: ['.ts'],
  testEnvironment: 'node',
  moduleNameMapper: {
    '^#eventsourcing$': '<rootDir>/libs/eventsourcing/src/index.ts',
    '^#eventsourcing/testing$': '<rootDir>/libs/eventsourcing/src/testing/index.ts',
    '^#platform$': '<rootDir>/libs/platform/src/index.ts',
    '^#investigations$': '<rootDir>/libs/investigations/src/index.ts',
    '^#chat$': '<rootDir>/libs/chat/src/index.ts',
    '^#audit$': '<rootDir>/libs/audit/src/index.ts',
    '^#analysis$': '<rootDir>/libs/analysis/src/index.ts',
    '^#workers$': '<rootDir>/apps/workers/src/index.ts',
    '^#client$': '<rootDir>/packages/client/src/index.ts',
    '^@cidadao-ai/client$': '<rootDir>/packages/client/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.json' }],
  },
  rootDir: '.',
};

export default {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,packages}/**/*.unit.spec.ts'] },
    { ...base, displayName: 'int', testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
  ],
  testTimeout: 60000,
  // Two workers on the two-core CI machine: the suites wait on conditions, not on time, and
  // most of an e2e suite's time is spent waiting on processes it started.
  maxWorkers: 2,
  // A worker's module registries are not all freed between files under --experimental-vm-modules:
  // by the end of a full run each held 2.4-2.9 GB and took longer than jest's half second to
  // exit. A worker over this after a file is replaced by a fresh one.
  workerIdleMemoryLimit: '1GB',
};
