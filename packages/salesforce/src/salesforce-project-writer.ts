/**
 * Writes a generated SFDX project to a folder: the generated files are replaced, anything else an
 * admin keeps there (a README, CI config, `node_modules`) is left alone.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SalesforcePackageFile } from './salesforce-package.js';

/** Writes `files` under `directory`, first removing the generated `force-app/main/default` tree. */
export async function writeSalesforceProject(
  directory: string,
  files: readonly SalesforcePackageFile[],
): Promise<string[]> {
  // Stale components (a removed milestone's field) must not survive a regeneration.
  await rm(join(directory, 'force-app', 'main', 'default'), { recursive: true, force: true });
  for (const file of files) {
    const path = join(directory, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
  }
  return files.map((file) => file.path);
}

/** Every file under a directory (relative paths with `/`), skipping `node_modules`. */
export async function listProjectFiles(directory: string, under = ''): Promise<string[]> {
  const entries = await readdir(join(directory, under), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    // Tool output beside the project (installs, turbo's logs) is not part of it.
    if (entry.name === 'node_modules' || entry.name === '.turbo') continue;
    const path = under ? `${under}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listProjectFiles(directory, path)));
    else files.push(path);
  }
  return files.sort();
}
