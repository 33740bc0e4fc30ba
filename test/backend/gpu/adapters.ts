// Whether a real WebGPU adapter, or Dawn's null device, is present here (probed once per test
// file that imports this; the probe loads Dawn and asks for an adapter, never for a device).

async function adapterWith(flags: string[]): Promise<boolean> {
  try {
    const name = "webgpu";
    const webgpu = (await import(name)) as { create(f: string[]): { requestAdapter(): Promise<unknown> } };
    return (await webgpu.create(flags).requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Whether a real WebGPU adapter answers here (false on CI and this project's machines). */
export const hasAdapter = await adapterWith([]);
/**
 * Whether Dawn's null device is available (the optional `webgpu` package is installed and
 * loads): a device on which every call validates and every shader compiles, and nothing runs.
 */
export const hasNullDevice = await adapterWith(["backend=null"]);
