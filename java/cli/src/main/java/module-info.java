/**
 * The panllama command. A module so that the build checks it uses only what dev.panllama exports
 * to it; the shaded java/cli/target/panllama.jar drops this descriptor and runs on the class path.
 * On the module path: {@code --enable-native-access=dev.panllama,dev.panllama.bindings,org.jline}
 * (JLine loads its own terminal library).
 */
@SuppressWarnings("requires-automatic") // JLine is an automatic module (Automatic-Module-Name org.jline)
module dev.panllama.cli {
    requires dev.panllama;
    requires info.picocli;
    requires org.jline;
    requires java.desktop;     // bench --plot draws a PNG
    requires java.logging;     // library warnings shown as one line each
    requires java.management;  // preflight: free memory
    requires jdk.management;   // com.sun.management.OperatingSystemMXBean

    // picocli injects options into the command objects' private fields.
    opens dev.panllama.cli to info.picocli;
}
