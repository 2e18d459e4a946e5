import { spawn } from 'node:child_process';
import { Client } from '@hubspot/api-client';
import { describe, expect, test } from 'vitest';

const binary = new URL('../dist/milepost.js', import.meta.url).pathname;

/** Starts `milepost emulator …`, returns its environment lines, and stops it with Ctrl-C (SIGINT). */
async function standing(
  args: string[],
): Promise<{ lines: Record<string, string>; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, [binary, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const text of buffer.split('\n').slice(0, -1)) {
        const [key, ...value] = text.split('=');
        if (key) lines[key] = value.join('=');
      }
      if (Object.keys(lines).length >= 2) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
  return {
    lines,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}

describe('milepost emulator', () => {
  test('hubspot prints HUBSPOT_BASE_URL and a fixed token the real client can use, and stops on Ctrl-C', async () => {
    const running = await standing(['hubspot', '--port', '0', '--token', 'pat-demo-token']);
    expect(running.lines.HUBSPOT_ACCESS_TOKEN).toBe('pat-demo-token');
    const client = new Client({
      accessToken: 'pat-demo-token',
      basePath: running.lines.HUBSPOT_BASE_URL,
      numberOfApiCallRetries: 0,
    });
    const page = await client.crm.companies.basicApi.getPage(5);
    expect(page.results).toHaveLength(5);
    expect(await running.stop()).toBe(0);
  });

  test('salesforce prints SF_INSTANCE_URL and SF_ACCESS_TOKEN', async () => {
    const running = await standing(['salesforce', '--port', '0', '--seed', 'empty']);
    expect(running.lines.SF_INSTANCE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${running.lines.SF_INSTANCE_URL}/services/data/v63.0/limits`, {
      headers: { authorization: `Bearer ${running.lines.SF_ACCESS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(await running.stop()).toBe(0);
  });

  test('a bad --seed is a usage error with what to use', async () => {
    const child = spawn(process.execPath, [binary, 'emulator', 'hubspot', '--seed', 'lots'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('--seed must be "demo" or "empty", not "lots"');
  });
});
