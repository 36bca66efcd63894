package io.dialectica.thesis;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.GenerationResult;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.testsupport.TestJwt;
import io.dialectica.testsupport.TopicCollector;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.config.JsonPathConfig;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static io.restassured.config.JsonConfig.jsonConfig;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Usage and cost of a job, and monthly budgets: a job's cost is the sum of its interactions' costs (the price
 * table applied to their usage by claude-worker), exactly; GET /api/jobs/{id} shows usage and costUsd; a user
 * at the budget gets 402 budget-exceeded with the amounts and the reset time, and no job row, outbox row or
 * Kafka record exists; the result settles the budget at the real cost, a cancel releases the hold, a
 * response-cache hit costs nothing; the budget resets at the start of the next month; admins set budgets.
 * The budget clock is {@link MovableBudgetClock}; the hold per job is the default 0.05 USD.
 */
@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
class BudgetTest {

    private static final io.restassured.config.RestAssuredConfig DECIMALS = io.restassured.RestAssured.config()
            .jsonConfig(jsonConfig().numberReturnType(JsonPathConfig.NumberReturnType.BIG_DECIMAL));

    /** Asserts amounts of a budget or job answer as decimals (0.05 equals 0.050). */
    private static void money(Response r, String... pathsAndAmounts) {
        for (int i = 0; i < pathsAndAmounts.length; i += 2) {
            String path = pathsAndAmounts[i];
            String actual = r.jsonPath().getString(path);
            assertTrue(actual != null && new BigDecimal(pathsAndAmounts[i + 1]).compareTo(new BigDecimal(actual)) == 0,
                    path + " should be " + pathsAndAmounts[i + 1] + ": " + r.asString());
        }
    }

    @AfterEach
    void clock() {
        MovableBudgetClock.reset();
    }

    private static String subject() {
        return "budget-user-" + UUID.randomUUID();
    }

    private static Response setBudget(String user, String amount) {
        return given().auth().oauth2(TestJwt.admin("budget-admin")).contentType(ContentType.JSON)
                .body("{\"monthlyUsd\":" + amount + "}").when().put("/api/jobs/budgets/" + user);
    }

    private static Response budget(String token, String user) {
        return given().config(DECIMALS).auth().oauth2(token).when().get("/api/jobs/budgets/" + user);
    }

    private static GenerationResult.Interaction call(int in, int out, int write, int read, String cost, boolean cacheHit) {
        return new GenerationResult.Interaction("claude-sonnet-4-5", in, out, 1000, new BigDecimal(cost), "req_x",
                cacheHit, cacheHit ? "cache" : "generate", write, read);
    }

    private static void result(UUID job, List<GenerationResult.Interaction> calls, boolean cacheHit) {
        GenerationResult ok = Api.thesesResult(job, 1, "budget", 2);
        Api.result(new GenerationResult(1, job, 1, true, null, ok.theses(), null, calls, cacheHit, "claude", "theses.v2",
                Instant.now()));
    }

    private static long requestsOf(String user) {
        return ThesisTestResource.topics.allValues(ThesisTestResource.topic("requests")).stream()
                .map(v -> TopicCollector.read(v.getBytes(java.nio.charset.StandardCharsets.UTF_8), GenerationRequest.class))
                .filter(r -> user.equals(r.requestedBy())).count();
    }

    @Test
    void aJobsCostIsTheSumOfItsCallsAndTheResultSettlesTheBudget() {
        String user = subject();
        String token = TestJwt.user(user);
        Api.awaitConsumer();
        UUID job = Api.theses(token, UUID.randomUUID(), 2);
        Response before = budget(token, user);
        before.then().statusCode(200).body("jobs", is(1)).body("source", is("default"));
        money(before, "heldUsd", "0.05", "spentUsd", "0", "monthlyUsd", "10", "remainingUsd", "9.95");

        // generate (writes the prompt cache) and repair (reads it): costs as claude-worker's price table made them
        GenerationResult.Interaction generate = call(12, 400, 1400, 0, "0.0112110", false);
        GenerationResult.Interaction repair = call(30, 380, 0, 1400, "0.0058800", false);
        result(job, List.of(generate, repair), false);
        Response done = Api.awaitStatus(token, job, JobStatus.SUCCEEDED);
        done.then().body("usage.inputTokens", is(42)).body("usage.outputTokens", is(780))
                .body("usage.cacheCreationInputTokens", is(1400)).body("usage.cacheReadInputTokens", is(1400));
        BigDecimal cost = new BigDecimal(done.jsonPath().getString("costUsd"));
        assertEquals(0, new BigDecimal("0.017091").compareTo(cost), "0.0112110 + 0.0058800, exactly: " + cost);
        assertTrue(done.asString().contains("\"costUsd\":0.017091"), "a plain decimal: " + done.asString());

        // settled: the hold released, the real cost spent
        money(budget(token, user), "heldUsd", "0", "spentUsd", "0.017091", "remainingUsd", "9.982909");
    }

    @Test
    void aResponseCacheHitCostsNothing() {
        String user = subject();
        String token = TestJwt.user(user);
        UUID job = Api.theses(token, UUID.randomUUID(), 2);
        result(job, List.of(call(0, 0, 0, 0, "0", true)), true);
        Api.awaitStatus(token, job, JobStatus.SUCCEEDED).then().body("cacheHit", is(true)).body("costUsd", is(0))
                .body("usage.inputTokens", is(0));
        money(budget(token, user), "spentUsd", "0", "heldUsd", "0");
    }

    @Test
    void aUserAtTheBudgetGetsTheProblemAndNothingIsCreated() {
        String user = subject();
        String token = TestJwt.user(user);
        Response set = setBudget(user, "0.10");
        set.then().statusCode(200).body("source", is("user")).body("setBy", is("budget-admin"));
        money(set, "monthlyUsd", "0.1");
        UUID concept = UUID.randomUUID();
        UUID first = Api.theses(token, concept, 2);  // holds 0.05
        UUID second = Api.theses(token, concept, 3); // holds 0.05: 0.10 used, the budget is reached
        Api.request(first);
        Api.request(second);

        Response refused = Api.postTheses(token, concept, "{\"count\":4}");
        refused.then().statusCode(402).contentType("application/problem+json")
                .body("type", is("urn:dialectica:problem:budget-exceeded"))
                .body("status", is(402));
        money(refused, "budgetUsd", "0.1", "spentUsd", "0", "heldUsd", "0.1", "remainingUsd", "0");
        Instant resetAt = Instant.parse(refused.path("resetAt"));
        LocalDate nextMonth = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1).plusMonths(1);
        assertEquals(nextMonth.atStartOfDay().toInstant(ZoneOffset.UTC), resetAt);
        long retryAfter = Long.parseLong(refused.header("Retry-After"));
        assertTrue(Math.abs(retryAfter - java.time.Duration.between(Instant.now(), resetAt).toSeconds()) < 60,
                "Retry-After counts the seconds to the reset: " + retryAfter);
        assertTrue(refused.asString().contains(user), refused.asString());
        // a synthesis is refused as well
        given().auth().oauth2(token).contentType(ContentType.JSON)
                .body("{\"conceptIds\":[\"" + UUID.randomUUID() + "\",\"" + UUID.randomUUID() + "\"],\"mode\":\"dialectical\"}")
                .when().post("/api/syntheses").then().statusCode(402);

        // nothing of the refused requests exists: no job row, no outbox row, no Kafka record
        assertEquals(2, Database.count("select count(*) from jobs where requested_by = ?", user));
        assertEquals(4, Database.count("select count(*) from outbox o join jobs j on j.id = o.job_id where j.requested_by = ?",
                user), "two rows (request, QUEUED) for each of the two jobs");
        assertEquals(2, requestsOf(user));
        TopicCollector.sleep(1000);
        assertEquals(2, requestsOf(user), "no request published later either");

        // the first job's result settles it at its real cost: room for one more job
        result(first, List.of(call(20, 300, 0, 0, "0.00456", false)), false);
        Api.awaitStatus(token, first, JobStatus.SUCCEEDED);
        UUID third = Api.theses(token, concept, 4);
        Response after = budget(token, user);
        after.then().body("jobs", is(3)).body("exhausted", is(true));
        money(after, "spentUsd", "0.00456", "heldUsd", "0.1");
        // a cancel releases the hold, without a cost
        given().auth().oauth2(token).when().delete("/api/jobs/" + third).then().statusCode(200);
        Response released = budget(token, user);
        released.then().body("exhausted", is(false));
        money(released, "heldUsd", "0.05");
        Api.awaitStatus(token, third, JobStatus.CANCELLED).then().body("costUsd", nullValue());
    }

    @Test
    void aZeroBudgetRefusesTheFirstJob() {
        String user = subject();
        setBudget(user, "0").then().statusCode(200);
        Api.postTheses(TestJwt.user(user), UUID.randomUUID(), null).then().statusCode(402)
                .body("type", is("urn:dialectica:problem:budget-exceeded")).body("budgetUsd", is(0)).body("spentUsd", is(0));
        assertEquals(0, Database.count("select count(*) from jobs where requested_by = ?", user));
    }

    @Test
    void theBudgetResetsAtTheStartOfTheNextMonth() {
        String user = subject();
        String token = TestJwt.user(user);
        setBudget(user, "0.05").then().statusCode(200);
        UUID concept = UUID.randomUUID();
        Api.theses(token, concept, 2);
        Response refused = Api.postTheses(token, concept, null);
        refused.then().statusCode(402);
        Instant resetAt = Instant.parse(refused.path("resetAt"));

        MovableBudgetClock.setTo(resetAt.minusSeconds(2));
        Api.postTheses(token, concept, null).then().statusCode(402).body("resetAt", is(resetAt.toString()));
        MovableBudgetClock.setTo(resetAt.plusMillis(50));
        UUID next = Api.theses(token, concept, 2);
        Response fresh = budget(token, user);
        fresh.then().statusCode(200).body("jobs", is(1)).body("periodStart", is(resetAt.toString()));
        money(fresh, "heldUsd", "0.05", "spentUsd", "0");
        assertEquals(1, Database.count("select count(*) from jobs where id = ? and budget_month = ?", next,
                LocalDate.ofInstant(resetAt, ZoneOffset.UTC)));
    }

    @Test
    void onlyAdminsSetBudgetsAndUsersSeeTheirOwn() {
        String user = subject();
        String token = TestJwt.user(user);
        budget(token, user).then().statusCode(200).body("user", is(user)).body("exhausted", is(false));
        budget(token, "somebody-else").then().statusCode(403).contentType("application/problem+json");
        budget(TestJwt.admin("an-admin"), user).then().statusCode(200);
        given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"monthlyUsd\":100}")
                .when().put("/api/jobs/budgets/" + user).then().statusCode(403);
        setBudget(user, "-1").then().statusCode(422).body("errors[0].field", is("monthlyUsd"));
        setBudget(user, "0.1234567").then().statusCode(422);
        setBudget(user, "\"5\"").then().statusCode(422);
        given().auth().oauth2(TestJwt.admin("budget-admin")).contentType(ContentType.JSON).body("{}")
                .when().put("/api/jobs/budgets/" + user).then().statusCode(422);
        money(setBudget(user, "25.5").then().statusCode(200).extract().response(), "monthlyUsd", "25.5");
        given().auth().oauth2(TestJwt.admin("budget-admin")).when().delete("/api/jobs/budgets/" + user)
                .then().statusCode(200).body("source", is("default")).body("monthlyUsd", is(10));
        given().when().get("/api/jobs/budgets/" + user).then().statusCode(401);
    }
}
