import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EddyError } from '@eddy/common';
import {
  DEFAULT_REST_ADDRESS,
  dynamicProperties,
  parseHostPort,
  parseIntegerFlag,
  parseJobIdArgument,
  resolveRestAddress,
  splitJobArguments,
} from './arguments.ts';

const userErr = (code: string) => (err: unknown) =>
  err instanceof EddyError && err.domain === 'user' && err.code === code;

test('parseHostPort accepts host:port, URLs and bracketed IPv6', () => {
  assert.deepEqual(parseHostPort('localhost:8081', 'x'), { host: 'localhost', port: 8081 });
  assert.deepEqual(parseHostPort('http://10.0.0.1:9/', 'x'), { host: '10.0.0.1', port: 9 });
  assert.deepEqual(parseHostPort('[::1]:6123', 'x'), { host: '[::1]', port: 6123 });
});

test('parseHostPort rejects what is not host:port, naming the value', () => {
  for (const bad of ['foo', 'foo:', ':80', 'foo:0', 'foo:70000', 'foo:bar', 'a b:1']) {
    assert.throws(
      () => parseHostPort(bad, 'JobManager address'),
      (err: unknown) => {
        assert.ok(userErr('CLI_BAD_ADDRESS')(err));
        assert.match(
          (err as Error).message,
          new RegExp(`invalid JobManager address '${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`),
        );
        return true;
      },
    );
  }
});

test('resolveRestAddress: -m beats EDDY_JOBMANAGER beats the local cluster beats the default', () => {
  assert.equal(resolveRestAddress(undefined, {}), DEFAULT_REST_ADDRESS);
  const local = (): string => '127.0.0.1:40000';
  assert.equal(resolveRestAddress(undefined, {}, local), '127.0.0.1:40000');
  assert.equal(
    resolveRestAddress(undefined, {}, () => undefined),
    DEFAULT_REST_ADDRESS,
  );
  assert.equal(resolveRestAddress(undefined, { EDDY_JOBMANAGER: 'jm:1' }, local), 'jm:1');
  assert.equal(resolveRestAddress('other:2', {}, local), 'other:2');
  assert.equal(resolveRestAddress(undefined, { EDDY_JOBMANAGER: 'jm:1' }), 'jm:1');
  assert.equal(resolveRestAddress('other:2', { EDDY_JOBMANAGER: 'jm:1' }), 'other:2');
  assert.throws(() => resolveRestAddress(undefined, { EDDY_JOBMANAGER: 'nope' }), /EDDY_JOBMANAGER/);
});

test('parseJobIdArgument accepts 32 hex characters only', () => {
  const id = '0123456789abcdef0123456789ABCDEF';
  assert.equal(parseJobIdArgument(id), id.toLowerCase());
  for (const bad of ['', 'xyz', id.slice(1), id + '0', 'g'.repeat(32)]) {
    assert.throws(() => parseJobIdArgument(bad), userErr('CLI_BAD_JOB_ID'));
  }
});

test('parseIntegerFlag names the flag', () => {
  assert.equal(parseIntegerFlag(undefined, '-p', 1), undefined);
  assert.equal(parseIntegerFlag(4, '-p', 1), 4);
  assert.throws(() => parseIntegerFlag(0, '-p', 1), /-p must be an integer >= 1/);
  assert.throws(() => parseIntegerFlag(NaN, '-p', 1), /-p must be an integer >= 1/);
  assert.throws(() => parseIntegerFlag(1.5, '-p', 1), /-p/);
});

test('dynamicProperties wants key=value', () => {
  assert.deepEqual(dynamicProperties(undefined), []);
  assert.deepEqual(dynamicProperties('a=b'), ['a=b']);
  assert.deepEqual(dynamicProperties(['a=b', 'c=d=e']), ['a=b', 'c=d=e']);
  assert.throws(() => dynamicProperties(['=x']), /-D expects key=value, got '=x'/);
  assert.throws(() => dynamicProperties(['novalue']), /novalue/);
});

test('splitJobArguments passes everything after the first -- through untouched', () => {
  assert.deepEqual(splitJobArguments(['run', 'a.ts']), { cli: ['run', 'a.ts'], job: undefined });
  assert.deepEqual(splitJobArguments(['run', 'a.ts', '--', '--n', '3', '--', '-p']), {
    cli: ['run', 'a.ts'],
    job: ['--n', '3', '--', '-p'],
  });
});
