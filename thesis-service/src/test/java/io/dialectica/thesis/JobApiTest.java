package io.dialectica.thesis;

import io.dialectica.contracts.generation.GenerationRequest;
import io.dialectica.contracts.generation.JobEvent;
import io.dialectica.contracts.generation.JobStatus;
import io.dialectica.contracts.generation.JobType;
import io.dialectica.testsupport.TestJwt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(ThesisTestResource.class)
class JobApiTest {

    @Test
    void thesesJobIsAcceptedStoredAndRequestedOnce() {
        String alice = Api.user();
        UUID concept = UUID.randomUUID();
        Response created = Api.postTheses(alice, concept, "{\"count\":3,\"language\":\"de\"}");
        created.then().statusCode(202)
                .header("Location", endsWith("/api/jobs/" + created.path("id")))
                .body("jobId", is((String) created.path("id")))
                .body("type", is("THESES"))
                .body("status", is("QUEUED"))
                .body("conceptIds", is(List.of(concept.toString())))
                .body("count", is(3))
                .body("language", is("de"))
                .body("progressUrl", is("/ws/jobs"))
                .body("attempts", is(0))
                .body("dispatches", is(1))
                .body("resultUrl", nullValue());
        UUID job = UUID.fromString(created.path("id"));

        // concept-service was asked with the caller's own token
        ThesisTestResource.conceptService.verify(getRequestedFor(urlPathEqualTo("/api/concepts/" + concept))
                .withHeader("Authorization", equalTo("Bearer " + alice)));

        // exactly one request on the requests topic, and the QUEUED event on the progress topic
        GenerationRequest request = Api.request(job);
        assertEquals(JobType.THESES, request.type());
        assertEquals(List.of(concept), request.conceptIds());
        assertEquals(3, request.count());
        assertEquals("de", request.language());
        assertEquals(created.path("requestedBy"), request.requestedBy());
        List<JobEvent> events = Api.awaitOwnEvents(job, l -> !l.isEmpty());
        assertEquals(JobStatus.QUEUED, events.get(0).status());
        assertEquals(JobEvent.STATUS, events.get(0).type());
        assertEquals(0, Database.count("select count(*) from outbox where job_id = ? and published_at is null", job),
                "every outbox row of the job is stamped published");
        assertEquals(1, ThesisTestResource.topics.on(ThesisTestResource.topic("requests"), job.toString()).size());

        // defaults: 5 theses in English
        Api.postTheses(alice, concept, null).then().statusCode(202).body("count", is(5)).body("language", is("en"));
        Api.postTheses(alice, concept, "{}").then().statusCode(202).body("count", is(5));
    }

    @Test
    void aBatchJobCarriesItsPriorityToTheWorkerAndIsAnotherRequestForTheIdempotencyKey() {
        String alice = Api.user();
        UUID concept = UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        Response created = given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":3,\"priority\":\"batch\"}").when().post("/api/concepts/" + concept + "/theses");
        created.then().statusCode(202).body("priority", is("batch")).body("status", is("QUEUED"));
        UUID job = UUID.fromString(created.path("id"));
        GenerationRequest request = Api.request(job);
        assertEquals(GenerationRequest.BATCH, request.priority());
        assertTrue(request.batch());
        assertEquals(1, Database.count("select count(*) from jobs where id = ? and priority = 'batch'", job));
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().statusCode(200).body("priority", is("batch"));
        // the same key with the same body but interactive: another request
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":3}").when().post("/api/concepts/" + concept + "/theses").then().statusCode(422);
        // the default is interactive, and says so; a synthesis takes a priority too
        UUID plain = Api.theses(alice, concept, 2);
        assertEquals(GenerationRequest.INTERACTIVE, Api.request(plain).priority());
        given().auth().oauth2(alice).when().get("/api/jobs/" + plain).then().body("priority", is("interactive"));
        Response synthesis = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body("{\"conceptIds\":[\"" + concept + "\",\"" + UUID.randomUUID()
                        + "\"],\"mode\":\"comparative\",\"priority\":\"batch\"}").when().post("/api/syntheses");
        synthesis.then().statusCode(202).body("priority", is("batch"));
        assertTrue(Api.request(UUID.fromString(synthesis.path("id"))).batch());
    }

    @Test
    void onlyTheRequesterAndAdminsSeeAJob() {
        String alice = Api.user();
        UUID job = Api.theses(alice, UUID.randomUUID(), 2);
        given().auth().oauth2(alice).when().get("/api/jobs/" + job).then().statusCode(200).body("id", is(job.toString()));
        given().auth().oauth2(Api.user()).when().get("/api/jobs/" + job).then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("type", is("urn:dialectica:problem:not-found"));
        given().auth().oauth2(TestJwt.admin("root")).when().get("/api/jobs/" + job).then().statusCode(200);
        given().auth().oauth2(Api.user()).when().delete("/api/jobs/" + job).then().statusCode(404);
        given().auth().oauth2(alice).when().get("/api/jobs/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void idempotencyKeyReturnsTheSameJobAndRefusesADifferentBody() {
        String alice = Api.user();
        UUID concept = UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        Response first = given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":4}").when().post("/api/concepts/" + concept + "/theses");
        first.then().statusCode(202);
        String id = first.path("id");
        // same key, same request (defaults spelt out): the same job, no second request
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":4,\"language\":\"en\"}").when().post("/api/concepts/" + concept + "/theses")
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("id", is(id))
                .header("Location", endsWith("/api/jobs/" + id));
        // same key, another body: 422
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":5}").when().post("/api/concepts/" + concept + "/theses")
                .then().statusCode(422).contentType(startsWith("application/problem+json"))
                .body("type", is("urn:dialectica:problem:idempotency-key-reused"))
                .body("errors.field", hasItem("Idempotency-Key"));
        // same key on the other endpoint: a different request too
        given().auth().oauth2(alice).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"conceptIds\":[\"" + concept + "\",\"" + UUID.randomUUID() + "\"],\"mode\":\"dialectical\"}")
                .when().post("/api/syntheses").then().statusCode(422);
        // another user's key space is their own
        given().auth().oauth2(Api.user()).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"count\":4}").when().post("/api/concepts/" + concept + "/theses")
                .then().statusCode(202).body("id", org.hamcrest.Matchers.not(is(id)));

        assertEquals(1, Database.count("select count(*) from jobs where idempotency_key = ? and requested_by = "
                + "(select requested_by from jobs where id = ?)", key, UUID.fromString(id)));
        Api.request(UUID.fromString(id));
        assertEquals(1, Database.count("select count(*) from outbox where job_id = ? and channel = 'requests'",
                UUID.fromString(id)));
    }

    @Test
    void concurrentFirstUsesOfAKeyMakeOneJob() throws Exception {
        String alice = Api.user();
        UUID concept = UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<Response>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                answers.add(pool.submit(() -> given().auth().oauth2(alice).contentType(ContentType.JSON)
                        .header("Idempotency-Key", key).body("{\"count\":2}")
                        .when().post("/api/concepts/" + concept + "/theses")));
            }
            java.util.Set<String> ids = new java.util.HashSet<>();
            int accepted = 0;
            for (var answer : answers) {
                Response r = answer.get();
                assertTrue(r.statusCode() == 202 || r.statusCode() == 200, "status " + r.statusCode());
                accepted += r.statusCode() == 202 ? 1 : 0;
                ids.add(r.path("id"));
            }
            assertEquals(1, ids.size(), "every answer names the same job");
            assertEquals(1, accepted, "exactly one request created it");
        } finally {
            pool.shutdown();
        }
        assertEquals(1, Database.count("select count(*) from jobs where idempotency_key = ?", key));
    }

    @Test
    void invisibleConceptIs404AndUnavailableConceptServiceIs503() {
        UUID hidden = UUID.randomUUID();
        UUID broken = UUID.randomUUID();
        ThesisTestResource.conceptService.stubFor(get(urlPathEqualTo("/api/concepts/" + hidden)).atPriority(1)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/problem+json")
                        .withBody("{\"status\":404}")));
        ThesisTestResource.conceptService.stubFor(get(urlPathEqualTo("/api/concepts/" + broken)).atPriority(1)
                .willReturn(aResponse().withStatus(500)));
        String alice = Api.user();
        long before = Database.count("select count(*) from jobs");
        Api.postTheses(alice, hidden, "{}").then().statusCode(404)
                .contentType(startsWith("application/problem+json")).body("errors.field", hasItem("id"));
        given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body("{\"conceptIds\":[\"" + UUID.randomUUID() + "\",\"" + hidden + "\"],\"mode\":\"comparative\"}")
                .when().post("/api/syntheses").then().statusCode(404).body("errors.field", hasItem("conceptIds[1]"));
        Api.postTheses(alice, broken, "{}").then().statusCode(503)
                .contentType(startsWith("application/problem+json"))
                .body("type", is("urn:dialectica:problem:dependency-unavailable"));
        assertEquals(before, Database.count("select count(*) from jobs"), "no job for a refused request");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "count 0                  | POST | /api/concepts/{c}/theses | {\"count\":0}                          | 422 | count",
            "count 11                 | POST | /api/concepts/{c}/theses | {\"count\":11}                         | 422 | count",
            "count as a string        | POST | /api/concepts/{c}/theses | {\"count\":\"5\"}                      | 422 | count",
            "count as a fraction      | POST | /api/concepts/{c}/theses | {\"count\":2.5}                         | 422 | count",
            "count is blank           | POST | /api/concepts/{c}/theses | {\"count\":\" \"}                      | 422 | count",
            "unknown field            | POST | /api/concepts/{c}/theses | {\"cuont\":3}                           | 400 | cuont",
            "malformed JSON           | POST | /api/concepts/{c}/theses | {\"count\":                             | 400 | body",
            "bad language             | POST | /api/concepts/{c}/theses | {\"language\":\"english!\"}            | 422 | language",
            "bad concept id           | POST | /api/concepts/xyz/theses | {}                                      | 400 | id",
            "one concept              | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\"],\"mode\":\"dialectical\"} | 422 | conceptIds",
            "six concepts             | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"{d}\",\"{e}\",\"{f}\",\"{g}\",\"{h}\"],\"mode\":\"dialectical\"} | 422 | conceptIds",
            "same concept twice       | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"{c}\"],\"mode\":\"dialectical\"} | 422 | conceptIds[1]",
            "concept id not a UUID    | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"nope\"],\"mode\":\"dialectical\"} | 400 | conceptIds[1]",
            "mode missing             | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"{d}\"]}     | 422 | mode",
            "unknown mode             | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"{d}\"],\"mode\":\"poetic\"} | 422 | mode",
            "unknown priority         | POST | /api/concepts/{c}/theses | {\"priority\":\"urgent\"}           | 422 | priority",
            "unknown synth priority   | POST | /api/syntheses           | {\"conceptIds\":[\"{c}\",\"{d}\"],\"mode\":\"dialectical\",\"priority\":\"later\"} | 422 | priority",
            "no body                  | POST | /api/syntheses           |                                         | 400 | body",
            "bad job id               | GET  | /api/jobs/42             |                                         | 400 | id",
            "bad job id on cancel     | DELETE | /api/jobs/42           |                                         | 400 | id",
            "bad synthesis id         | GET  | /api/syntheses/42        |                                         | 400 | id",
            "bad jobId filter         | GET  | /api/concepts/{c}/theses?jobId=x |                                 | 400 | jobId",
    })
    void badInputIsAProblemAndCreatesNothing(String name, String method, String path, String body, int status,
            String field) {
        long before = Database.count("select count(*) from jobs");
        String resolved = path.replace("{c}", UUID.randomUUID().toString());
        String payload = body;
        if (payload != null) {
            for (String p : List.of("{c}", "{d}", "{e}", "{f}", "{g}", "{h}")) {
                payload = payload.replace(p, p.equals("{c}") ? "00000000-0000-0000-0000-00000000000c"
                        : UUID.randomUUID().toString());
            }
        }
        var request = given().auth().oauth2(Api.user());
        if (method.equals("POST")) {
            request.contentType(ContentType.JSON);
            if (payload != null) {
                request.body(payload);
            }
        }
        request.when().request(method, resolved).then().statusCode(status)
                .contentType(startsWith("application/problem+json"))
                .body("status", is(status))
                .body("errors.field", hasItem(field));
        assertEquals(before, Database.count("select count(*) from jobs"), name + " created a job");
    }

    @Test
    void authenticationAndHeaders() {
        given().contentType(ContentType.JSON).body("{}").when().post("/api/concepts/" + UUID.randomUUID() + "/theses")
                .then().statusCode(401).contentType(startsWith("application/problem+json"))
                .header("WWW-Authenticate", startsWith("Bearer"));
        given().auth().oauth2(TestJwt.expired("x")).when().get("/api/jobs/" + UUID.randomUUID()).then().statusCode(401);
        given().auth().oauth2(Api.user()).contentType(ContentType.JSON).header("Idempotency-Key", "x".repeat(201))
                .body("{}").when().post("/api/concepts/" + UUID.randomUUID() + "/theses").then().statusCode(400)
                .body("errors.field", hasItem("Idempotency-Key"));
        given().auth().oauth2(Api.user()).contentType("text/plain").body("count=3")
                .when().post("/api/concepts/" + UUID.randomUUID() + "/theses").then().statusCode(415)
                .contentType(startsWith("application/problem+json"));
    }

    @Test
    void cancelQueuedJobThenTerminalIs409() {
        String alice = Api.user();
        UUID job = Api.synthesis(alice, List.of(UUID.randomUUID(), UUID.randomUUID()), "integrative");
        given().auth().oauth2(alice).when().delete("/api/jobs/" + job).then().statusCode(200)
                .body("status", is("CANCELLED")).body("finishedAt", notNullValue());
        given().auth().oauth2(alice).when().delete("/api/jobs/" + job).then().statusCode(409)
                .contentType(startsWith("application/problem+json")).body("type", is("urn:dialectica:problem:conflict"));
        List<JobEvent> events = Api.awaitOwnEvents(job, l -> l.size() >= 2);
        assertEquals(List.of(JobStatus.QUEUED, JobStatus.CANCELLED), events.stream().map(JobEvent::status).toList());
        // a result arriving for the cancelled job changes nothing
        Api.result(new io.dialectica.contracts.generation.GenerationResult(1, job, 1, true, null, null,
                new io.dialectica.contracts.generation.GenerationResult.ProposedConcept("Too late", null, null,
                        List.of(), List.of(), List.of(), "integrative"), List.of(), false, "stand-in", "synthesis.v1",
                java.time.Instant.now()));
        UUID marker = Api.theses(alice, UUID.randomUUID(), 1);
        Api.result(Api.thesesResult(marker, 1, "marker", 1), job);
        Api.awaitStatus(alice, marker, JobStatus.SUCCEEDED); // the consumer went past the late result
        Api.awaitStatus(alice, job, JobStatus.CANCELLED);
        assertEquals(0, Database.count("select count(*) from syntheses where job_id = ?", job));
        given().auth().oauth2(alice).when().get("/api/syntheses/" + job).then().statusCode(404);
        assertTrue(Api.ownEvents(job).size() == 2, "no further event for the cancelled job");
    }
}
