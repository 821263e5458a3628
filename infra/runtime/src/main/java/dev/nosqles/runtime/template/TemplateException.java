package dev.nosqles.runtime.template;

/** template.yaml could not be read, or declares something the local runtime cannot run; names where. */
public final class TemplateException extends RuntimeException {
    private final String location;

    public TemplateException(String location, String problem) {
        super(location + ": " + problem);
        this.location = location;
    }

    public TemplateException(String location, String problem, Throwable cause) {
        super(location + ": " + problem, cause);
        this.location = location;
    }

    /** Where in the template, such as {@code Resources.ApiFunction.Properties.Events.GetOrder}. */
    public String location() {
        return location;
    }
}
