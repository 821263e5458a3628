package dev.nosqles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nosqles.localaws.LocalAws;
import dev.nosqles.runtime.LocalRuntime;
import dev.nosqles.runtime.RunningApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/** Which tables the command works on: --stack (CloudFormation on moto), --local (make run's file), the environment. */
class TargetResolutionTest {
    @TempDir
    Path dir;

    private static TargetOptions options(String... args) {
        TargetOptions options = new TargetOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    private static String stack(String name, boolean withOutputs) {
        String tables = """
                  EventsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      AttributeDefinitions: [{AttributeName: streamId, AttributeType: S}]
                      KeySchema: [{AttributeName: streamId, KeyType: HASH}]
                      BillingMode: PAY_PER_REQUEST
                  CheckpointsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      AttributeDefinitions: [{AttributeName: subscriber, AttributeType: S}]
                      KeySchema: [{AttributeName: subscriber, KeyType: HASH}]
                      BillingMode: PAY_PER_REQUEST
                  ReadModelsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                      KeySchema: [{AttributeName: pk, KeyType: HASH}]
                      BillingMode: PAY_PER_REQUEST
                """;
        String outputs = """
                Outputs:
                  EventsTableName: {Value: !Ref EventsTable}
                  CheckpointsTableName: {Value: !Ref CheckpointsTable}
                  ReadModelsTableName: {Value: !Ref ReadModelsTable}
                """;
        LocalAws aws = LocalAws.shared();
        try (CloudFormationClient cfn = aws.configure(CloudFormationClient.builder())
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            cfn.createStack(b -> b.stackName(name).templateBody("Resources:\n" + tables + (withOutputs ? outputs : "")));
            return name;
        }
    }

    private static Map<String, String> env() {
        return Map.of("AWS_REGION", LocalAws.shared().region().id());
    }

    @Test
    void a_stack_names_its_tables_by_its_outputs_or_else_by_its_resources_physical_ids() {
        String endpoint = LocalAws.shared().endpoint().toString();
        for (boolean withOutputs : new boolean[] {true, false}) {
            String name = stack("cli-" + UUID.randomUUID().toString().substring(0, 8), withOutputs);
            Target target = options("--stack", name, "--endpoint", endpoint).resolve(env(), dir);
            assertThat(target.description()).isEqualTo("stack " + name + " in " + LocalAws.shared().region().id());
            assertThat(target.eventsTable()).contains("EventsTable").isNotEqualTo("EventsTable");
            assertThat(target.checkpointsTable()).contains("CheckpointsTable");
            assertThat(target.readModelsTable()).contains("ReadModelsTable");
            assertThat(target.endpoint()).hasValue(LocalAws.shared().endpoint());
        }
    }

    @Test
    void a_stack_that_does_not_exist_is_a_usage_error() {
        assertThatThrownBy(() -> options("--stack", "no-such-stack", "--endpoint",
                LocalAws.shared().endpoint().toString()).resolve(env(), dir))
                .isInstanceOf(UsageException.class).hasMessage("no stack no-such-stack in "
                        + LocalAws.shared().region().id());
    }

    @Test
    void the_environment_names_the_tables_like_the_functions_see_them() {
        Target target = options("--endpoint", "http://127.0.0.1:1", "--region", "eu-west-1")
                .resolve(Map.of("EVENTS_TABLE", "ev", "CHECKPOINTS_TABLE", "cp", "READ_MODELS_TABLE", "rm"), dir);
        assertThat(target.eventsTable()).isEqualTo("ev");
        assertThat(target.checkpointsTable()).isEqualTo("cp");
        assertThat(target.readModelsTable()).isEqualTo("rm");
        assertThat(target.region().id()).isEqualTo("eu-west-1");
        assertThat(target.credentials().resolveCredentials().accessKeyId()).isEqualTo("test");
    }

    @Test
    void local_reads_the_file_make_run_writes_and_refuses_it_once_that_process_has_ended() throws Exception {
        Path state = dir.resolve("state");
        // the tables the command needs, as template.yaml declares them (the runtime reads any SAM template)
        Path template = Files.writeString(dir.resolve("template.yaml"), """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  EventsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions: [{AttributeName: streamId, AttributeType: S}, {AttributeName: version, AttributeType: N}]
                      KeySchema: [{AttributeName: streamId, KeyType: HASH}, {AttributeName: version, KeyType: RANGE}]
                  CheckpointsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions: [{AttributeName: subscriber, AttributeType: S}, {AttributeName: streamId, AttributeType: S}]
                      KeySchema: [{AttributeName: subscriber, KeyType: HASH}, {AttributeName: streamId, KeyType: RANGE}]
                  ReadModelsTable:
                    Type: AWS::DynamoDB::Table
                    Properties:
                      BillingMode: PAY_PER_REQUEST
                      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                      KeySchema: [{AttributeName: pk, KeyType: HASH}]
                """);
        try (RunningApp app = LocalRuntime.start(LocalRuntime.Options.of(template).withPort(0)
                .withAws(LocalAws.shared()).withStackName("cli-" + UUID.randomUUID().toString().substring(0, 8))
                .withPollersStarted(false).withLog(line -> { }))) {
            Path file = LocalRuntime.writeConnection(state, app);
            assertThat(file).isEqualTo(state.resolve(TargetOptions.CONNECTION_FILE));

            Target target = options("--local").resolve(Map.of("NOSQLES_STATE_DIR", state.toString()), dir);
            assertThat(target.eventsTable()).isEqualTo(app.resources().tableName("EventsTable"));
            assertThat(target.checkpointsTable()).isEqualTo(app.resources().tableName("CheckpointsTable"));
            assertThat(target.readModelsTable()).isEqualTo(app.resources().tableName("ReadModelsTable"));
            assertThat(target.endpoint()).hasValue(LocalAws.shared().endpoint());
            assertThat(target.region()).isEqualTo(LocalAws.shared().region());

            // a make run killed without its shutdown: the file names a process that is gone
            String text = Files.readString(file).replaceFirst("\"pid\" : \\d+", "\"pid\" : " + endedProcess());
            Files.writeString(file, text);
            assertThatThrownBy(() -> options("--local").resolve(Map.of("NOSQLES_STATE_DIR", state.toString()), dir))
                    .isInstanceOf(UsageException.class).hasMessageContaining("has ended");
        }
    }

    @Test
    void local_finds_the_state_directory_beside_the_template_above_the_working_directory() throws Exception {
        Files.writeString(dir.resolve("template.yaml"), "Resources: {}\n");
        Path nested = Files.createDirectories(dir.resolve("a/b"));
        assertThat(TargetOptions.stateDirectory(Map.of(), nested)).isEqualTo(dir.resolve(".local-state"));
    }

    private static long endedProcess() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
