package dev.panamax.train;

/** Run in a child JVM by RunFolderTest: locks the run folder given, says so, and holds it until killed. */
public final class RunFolderHolder {
    private RunFolderHolder() {
    }

    public static void main(String[] args) throws Exception {
        RunFolder folder = RunFolder.open(java.nio.file.Path.of(args[0]), "last.safetensors");
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(120_000);
        folder.close();
    }
}
