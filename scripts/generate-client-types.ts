import { writeFileSync } from 'node:fs';
import { CLIENT_WIRE_TYPES_PATH, renderClientWireTypes } from '../apps/api/src/docs/client-wire-types.js';

// Run from the repository's root (npm run generate:client).
writeFileSync(CLIENT_WIRE_TYPES_PATH, renderClientWireTypes());
console.log(`wrote ${CLIENT_WIRE_TYPES_PATH}`);
