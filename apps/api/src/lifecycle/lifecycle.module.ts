import { Global, Module } from '@nestjs/common';
import { ShutdownRegistry } from './shutdown-registry.js';

/** Global, so a gateway in any module can inject the ShutdownRegistry. */
@Global()
@Module({ providers: [ShutdownRegistry], exports: [ShutdownRegistry] })
export class LifecycleModule {}
