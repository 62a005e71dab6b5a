package dev.panamax;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Folders of src/test/resources, as the test class path has them (target/test-classes), for tests that read files. */
public final class TestResources {
    private TestResources() {
    }

    /**
     * The folder {@code folder} of the test resources, found through the file {@code marker} inside it;
     * src/test/resources/{@code folder} when the class path does not hold it as a plain file (an IDE's
     * run from the sources). The message says which script makes the folder when it is missing.
     */
    public static Path folder(String folder, String marker) {
        URL url = TestResources.class.getClassLoader().getResource(folder + "/" + marker);
        if (url == null || !"file".equals(url.getProtocol())) {
            return Path.of("src", "test", "resources", folder);
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("test resource URL " + url + " is not a file path", e);
        }
    }
}
