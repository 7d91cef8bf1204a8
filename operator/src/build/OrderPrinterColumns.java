import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a generated CRD's additionalPrinterColumns in the order they are declared on the custom resource class.
 * kubectl prints columns in the CRD's order, and fabric8's generator sorts them by jsonPath
 * (fabric8io/kubernetes-client#7454), which would put Age first. Rewrites only that list, line for line, so the file
 * stays as the generator formats it.
 *
 * <p>Usage: {@code java -cp CLASSPATH OrderPrinterColumns.java CRD_FILE RESOURCE_CLASS}
 */
public class OrderPrinterColumns {
    private static final String LIST = "  - additionalPrinterColumns:";
    private static final String ENTRY = "    - ";
    private static final String INSIDE = "      ";
    private static final Pattern NAME = Pattern.compile("^ {4}(?:- | {2})name: \"(.*)\"$");

    public static void main(String[] args) throws Exception {
        Path crd = Path.of(args[0]);
        List<String> declared = Arrays.stream(Class.forName(args[1], false, OrderPrinterColumns.class.getClassLoader()).getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        List<String> lines = new ArrayList<>(Files.readAllLines(crd));
        int start = lines.indexOf(LIST) + 1;
        if (start == 0) {
            throw new IllegalStateException(crd + " has no '" + LIST.trim() + "'");
        }
        int end = start;
        while (end < lines.size() && (lines.get(end).startsWith(ENTRY) || lines.get(end).startsWith(INSIDE))) {
            end++;
        }
        List<List<String>> entries = new ArrayList<>();
        for (String line : lines.subList(start, end)) {
            if (line.startsWith(ENTRY)) {
                entries.add(new ArrayList<>());
            }
            entries.get(entries.size() - 1).add(line);
        }
        entries.sort(Comparator.comparingInt(entry -> position(declared, entry)));
        lines.subList(start, end).clear();
        lines.addAll(start, entries.stream().flatMap(List::stream).toList());
        Files.write(crd, lines);
    }

    private static int position(List<String> declared, List<String> entry) {
        for (String line : entry) {
            Matcher name = NAME.matcher(line);
            if (name.matches() && declared.contains(name.group(1))) {
                return declared.indexOf(name.group(1));
            }
        }
        throw new IllegalStateException("a printer column not declared on the class: " + entry);
    }
}
