package dev.nosqles.runtime.esm.internal;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** The {@link Context} of one local invocation. The timeout is reported, not enforced. */
public final class LocalContext implements Context {
    /** The account id used in local ARNs (moto's default account). */
    public static final String ACCOUNT = "123456789012";

    private final String functionName;
    private final String region;
    private final String requestId = UUID.randomUUID().toString();
    private final Instant deadline;
    private final Clock clock;
    private final LambdaLogger logger;

    public LocalContext(String functionName, String region, Duration timeout, Clock clock) {
        this.functionName = functionName;
        this.region = region;
        this.clock = clock;
        this.deadline = clock.instant().plus(timeout);
        this.logger = new SystemLambdaLogger(System.getLogger("lambda." + functionName), requestId);
    }

    public static String functionArn(String region, String functionName) {
        return "arn:aws:lambda:" + region + ":" + ACCOUNT + ":function:" + functionName;
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + functionName;
    }

    @Override
    public String getLogStreamName() {
        return "local/[$LATEST]" + requestId.replace("-", "");
    }

    @Override
    public String getFunctionName() {
        return functionName;
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return functionArn(region, functionName);
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long left = Duration.between(clock.instant(), deadline).toMillis();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int getMemoryLimitInMB() {
        return 512;
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }

    /** What the function logs goes to System.Logger "lambda.&lt;function&gt;", prefixed with the request id. */
    private record SystemLambdaLogger(System.Logger target, String requestId) implements LambdaLogger {
        @Override
        public void log(String message) {
            target.log(System.Logger.Level.INFO, () -> requestId + " " + message);
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    }
}
