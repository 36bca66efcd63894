package io.dialectica.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dialectica.e2e.load.ConceptClient;
import io.dialectica.testsupport.TestJwt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web studio in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium), served by a packaged
 * gateway in the local profile (the one {@code ./dialectica} runs: prod's configuration plus the dev-token sign-in)
 * in front of the real services of {@link Stack} and {@link GenerationStack}: sign in, create a concept and see it
 * drawn, drag a category and find its position saved, a concurrent change shown as a conflict, search, another
 * user's view, theses streaming in. The prod-profile gateway of {@link Stack} has no dev-token endpoint.
 */
@ExtendWith({Stack.class, GenerationStack.class})
class StudioIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ServiceProcess studio;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private Path profileDir;

    @BeforeAll
    static void startTheLocalProfileGateway() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            throw new IllegalStateException("headless Chromium is missing: install the Debian packages chromium and "
                    + "chromium-driver (./dialectica up and ./dialectica test install them)");
        }
        Path root = Path.of(System.getProperty("dialectica.root", "..")).toAbsolutePath().normalize();
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_PROFILE", "local");
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", TestJwt.writePublicKey(Stack.runDir().resolve("jwt-public.pem")).toUri().toString());
        env.put("MP_JWT_VERIFY_ISSUER", TestJwt.ISSUER);
        env.put("STUDIO_DEV_TOKEN_KEY_LOCATION", GenerationStack.signingKey().toString());
        env.put("GATEWAY_BACKENDS_CONCEPT_SERVICE_URL", Stack.conceptService().baseUrl());
        env.put("GATEWAY_BACKENDS_GRAPH_SERVICE_URL", Stack.graphService().baseUrl());
        env.put("GATEWAY_BACKENDS_SEARCH_SERVICE_URL", Stack.searchService().baseUrl());
        env.put("GATEWAY_BACKENDS_THESIS_SERVICE_URL", GenerationStack.thesisService().baseUrl());
        env.put("GATEWAY_PROGRESS_TOPIC", GenerationStack.PROGRESS);
        env.put("GATEWAY_PROGRESS_BOOTSTRAP_SERVERS", Stack.KAFKA);
        env.put("GATEWAY_PROGRESS_GROUP_PREFIX", "e2e-" + Stack.RUN + "-studio-gateway");
        env.put("QUARKUS_REDIS_HOSTS", "redis://" + Stack.REDIS);
        studio = ServiceProcess.start(root, "api-gateway", env).awaitReady(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopIt() throws InterruptedException {
        if (studio != null) {
            studio.close();
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        profileDir = Files.createTempDirectory("dialectica-studio-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1366,820", "--user-data-dir=" + profileDir);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterEach
    void closeBrowser(TestInfo test) throws IOException {
        if (browser != null) {
            try {
                // the last screen of every test, for whoever reads a failure
                Path shots = Stack.logs().resolve("studio");
                Files.createDirectories(shots);
                Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                        shots.resolve(test.getTestMethod().orElseThrow().getName() + ".png"), StandardCopyOption.REPLACE_EXISTING);
            } finally {
                browser.quit();
            }
        }
        try (var files = Files.walk(profileDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    @Test
    void theProdProfileGatewayHasNoDevTokenEndpoint() throws Exception {
        // Stack's gateway: the packaged jar without a profile, i.e. prod, as deployed
        HttpResponse<String> refused = post(Stack.gateway().baseUrl() + "/auth/dev-token", "{\"user\": \"alice\"}");
        assertEquals(404, refused.statusCode(), refused.body());
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), refused.body());
        assertFalse(refused.body().contains("\"token\":"), refused.body());
        assertTrue(get(Stack.gateway().baseUrl() + "/auth/config").body().contains("\"devTokens\":false"));
        // the local profile's gateway hands them out
        assertTrue(get(studio.baseUrl() + "/auth/config").body().contains("\"devTokens\":true"));
        assertEquals(200, post(studio.baseUrl() + "/auth/dev-token", "{\"user\": \"alice\"}").statusCode());
    }

    @Test
    void signInCreateAConceptSeeItDrawnDragACategoryAndFindThePositionSaved() throws Exception {
        String user = "studio-" + UUID.randomUUID().toString().substring(0, 8);
        signIn(user);
        String id = createConcept("Studio triad " + UUID.randomUUID().toString().substring(0, 6), "Being", "Nothing", "Becoming");

        // drawn: three nodes on the canvas, listed for the keyboard too
        assertEquals(3L, js("return window.dialecticaStudio.cy.nodes().length"));
        assertEquals(3, browser.findElements(By.cssSelector("#category-list button")).size());
        assertFalse(browser.findElements(By.cssSelector("#canvas canvas")).isEmpty(), "Cytoscape draws on canvases");

        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            JsonNode before = category(api.get("/api/concepts/" + id).expect(200).body(), "Being");
            String beforeEtag = (String) js("return window.dialecticaStudio.etag");
            drag("Being", 90, 60);
            wait.until(d -> !beforeEtag.equals(js("return window.dialecticaStudio.etag")));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "saved"));

            JsonNode after = category(api.get("/api/concepts/" + id).expect(200).body(), "Being");
            Map<String, Object> drawn = nodePosition("Being");
            assertEquals(((Number) drawn.get("x")).doubleValue(), after.path("x").asDouble(), 1.0, after.toString());
            assertEquals(((Number) drawn.get("y")).doubleValue(), after.path("y").asDouble(), 1.0, after.toString());
            assertTrue(after.path("x").asDouble() > before.path("x").asDouble() + 20, before + " -> " + after);
            assertTrue(after.path("y").asDouble() > before.path("y").asDouble() + 10, before + " -> " + after);

            // its details, edited in the dialog and saved with If-Match
            browser.findElement(By.id("edit-details")).click();
            WebElement description = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("cd-description")));
            description.clear();
            description.sendKeys("Pure being and pure nothing pass over into each other.");
            browser.findElement(By.cssSelector("#details-form button[type=submit]")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "edited the details: saved"));
            assertEquals("Pure being and pure nothing pass over into each other.",
                    api.get("/api/concepts/" + id).expect(200).body().path("description").asText());

            // after a reload the studio opens the concept again (#/concepts/<id>) with the category where it was left
            browser.navigate().refresh();
            awaitNodes(3);
            Map<String, Object> reloaded = nodePosition("Being");
            assertEquals(after.path("x").asDouble(), ((Number) reloaded.get("x")).doubleValue(), 0.5);
            assertEquals(after.path("y").asDouble(), ((Number) reloaded.get("y")).doubleValue(), 0.5);
        }
    }

    @Test
    void aConcurrentChangeIsShownAsAConflictToResolveNotOverwritten() throws Exception {
        String user = "studio-" + UUID.randomUUID().toString().substring(0, 8);
        signIn(user);
        String id = createConcept("Studio conflict " + UUID.randomUUID().toString().substring(0, 6), "Cause", "Effect");
        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            // somebody else (another window) moves "Cause" meanwhile
            JsonNode concept = api.get("/api/concepts/" + id).expect(200).body();
            JsonNode cause = category(concept, "Cause");
            api.put("/api/concepts/" + id + "/categories/" + cause.path("id").asText(), Map.of("x", 500, "y", 500),
                    "\"" + concept.path("version").asText() + "\"").expect(200);

            drag("Cause", 60, 40);
            WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("conflict")));
            assertTrue(dialog.getText().contains("has changed it since"), dialog.getText());
            // nothing was overwritten
            JsonNode stored = category(api.get("/api/concepts/" + id).expect(200).body(), "Cause");
            assertEquals(500.0, stored.path("x").asDouble(), stored.toString());

            browser.findElement(By.id("conflict-theirs")).click();
            wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("conflict")));
            wait.until(d -> ((Number) nodePosition("Cause").get("x")).doubleValue() == 500.0);
            assertEquals("\"2\"", js("return window.dialecticaStudio.etag"));
            assertEquals(500.0, category(api.get("/api/concepts/" + id).expect(200).body(), "Cause").path("x").asDouble());
        }
    }

    @Test
    void searchFindsTheConceptAndAnotherUserDoesNotSeeItWhilePrivate() throws Exception {
        String word = "zetetic" + UUID.randomUUID().toString().substring(0, 6);
        signIn("studio-" + UUID.randomUUID().toString().substring(0, 8));
        String id = createConcept("Private " + word, "Doubt", "Inquiry");

        search(word);
        WebElement result = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#results .result")));
        assertTrue(result.getText().contains(word), result.getText());
        assertFalse(result.findElements(By.tagName("em")).isEmpty(), "the match is highlighted");
        assertTrue(browser.findElement(By.id("facets")).getText().contains("Studio tests (1)"),
                browser.findElement(By.id("facets")).getText());

        browser.findElement(By.id("sign-out")).click();
        signIn("studio-other-" + UUID.randomUUID().toString().substring(0, 8));
        search(word);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("results"), "0 results"));
        assertFalse(browser.findElement(By.id("mine")).getText().contains(word));
        assertFalse(browser.findElement(By.id("public")).getText().contains(word));
        // asked for by its address: an error in words, not a blank page
        browser.get(studio.baseUrl() + "/#/concepts/" + id);
        browser.navigate().refresh();
        WebElement message = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#messages p")));
        assertTrue(message.getText().contains("does not exist (any more), or it is not visible to you"), message.getText());
    }

    @Test
    void askForThesesAndWatchTheJobLive() throws Exception {
        signIn("studio-" + UUID.randomUUID().toString().substring(0, 8));
        createConcept("Studio theses " + UUID.randomUUID().toString().substring(0, 6), "Being", "Nothing", "Becoming");
        WebElement count = browser.findElement(By.id("thesis-count"));
        count.clear();
        count.sendKeys("3");
        browser.findElement(By.cssSelector("#ask-theses button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("job")));

        List<Long> progress = new ArrayList<>();
        WebDriverWait job = new WebDriverWait(browser, Duration.ofSeconds(120), Duration.ofMillis(100));
        job.until(d -> {
            progress.add(((Number) js("return document.getElementById('job-progress').value")).longValue());
            return !d.findElements(By.cssSelector("#theses .thesis")).isEmpty();
        });
        assertEquals(3, browser.findElements(By.cssSelector("#theses .thesis")).size());
        assertEquals("succeeded", browser.findElement(By.id("job-status")).getText());
        assertEquals(100L, ((Number) js("return document.getElementById('job-progress').value")).longValue());
        assertTrue(progress.stream().anyMatch(p -> p > 5 && p < 100), "the bar moved through the job: " + progress);
        js("document.getElementById('generation').scrollIntoView()");
    }

    @Test
    void aSynthesisOfTwoConceptsIsFollowedLivePreviewedOnTheCanvasAndSavedWithOneClick() throws Exception {
        String user = "studio-" + UUID.randomUUID().toString().substring(0, 8);
        signIn(user);
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String hegel = createConcept("Studio synthesis Hegel " + tag, "Being", "Nothing", "Becoming");
        String aristotle = createConcept("Studio synthesis Aristotle " + tag, "Matter", "Form");
        browser.findElement(By.cssSelector("#synthesis-box summary")).click();
        assertAccessibleNames("#ask-synthesis input, #ask-synthesis select, #ask-synthesis button, #synthesis-box summary");

        // one concept is not a synthesis: thesis-service's 422, shown in words
        synthesisChoice(hegel).click();
        browser.findElement(By.cssSelector("#ask-synthesis button[type=submit]")).click();
        WebElement message = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#messages p")));
        assertTrue(message.getText().contains("Some values are not acceptable"), message.getText());
        assertTrue(message.getText().contains("must name 2 to 5 concepts"), message.getText());
        assertFalse(message.getText().contains("{"), "no raw JSON: " + message.getText());

        // two: the job followed live on /ws/jobs
        synthesisChoice(aristotle).click();
        browser.findElement(By.cssSelector("#ask-synthesis button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("syn-job")));
        assertTrue(browser.findElements(By.cssSelector("#messages p")).isEmpty(), "the old message is gone");
        List<Long> progress = new ArrayList<>();
        new WebDriverWait(browser, Duration.ofSeconds(120), Duration.ofMillis(100)).until(d -> {
            progress.add(((Number) js("return document.getElementById('syn-job-progress').value")).longValue());
            return d.findElement(By.id("syn-result")).isDisplayed();
        });
        assertEquals("succeeded", browser.findElement(By.id("syn-job-status")).getText());
        assertEquals(100L, ((Number) js("return document.getElementById('syn-job-progress').value")).longValue());
        assertTrue(progress.stream().anyMatch(p -> p > 5 && p < 100), "the bar moved through the job: " + progress);

        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            String jobId = (String) js("return window.dialecticaStudio.proposal.jobId");
            JsonNode synthesis = api.get("/api/syntheses/" + jobId).expect(200).body();
            // the two chosen, in the order of the list (the newest first)
            assertEquals(List.of(aristotle, hegel), List.of(synthesis.path("sourceConceptIds").get(0).asText(),
                    synthesis.path("sourceConceptIds").get(1).asText()), synthesis.toString());
            JsonNode proposed = synthesis.path("proposedConcept");
            String name = proposed.path("name").asText();

            // previewed on the canvas: every proposed category and relation drawn, nothing saved yet
            wait.until(ExpectedConditions.textToBe(By.id("concept-title"), "Proposed: " + name));
            assertEquals((long) proposed.path("categories").size(), js("return window.dialecticaStudio.cy.nodes().length"));
            assertEquals((long) proposed.path("relations").size(), js("return window.dialecticaStudio.cy.edges().length"));
            assertTrue(browser.findElement(By.id("proposal-actions")).isDisplayed());
            assertFalse(browser.findElement(By.id("inspector")).isDisplayed(), "nothing to edit before it is saved");
            assertAccessibleNames("#proposal-actions select, #proposal-actions button, #syn-result button");
            screenshot("synthesis-preview");
            int before = api.get("/api/concepts?" + "owner=" + user + "&size=100").expect(200).body().path("items").size();
            assertEquals(2, before, "only the two sources so far");

            // arranged before saving: the dragged position goes with it
            String first = proposed.path("categories").get(0).path("name").asText();
            drag(first, 80, 50);
            // drawn at the top of a circle (x 0) until moved
            wait.until(d -> ((Number) js("return window.dialecticaStudio.preview.categories[0].x")).doubleValue() != 0.0);
            Map<String, Object> arranged = nodePosition(first);

            // saved with one click, then opened
            browser.findElement(By.id("syn-save")).click();
            wait.until(ExpectedConditions.textToBe(By.id("concept-title"), name));
            String hash = (String) js("return location.hash");
            assertTrue(hash.startsWith("#/concepts/"), hash);
            String saved = hash.substring("#/concepts/".length());
            assertFalse(List.of(hegel, aristotle).contains(saved), saved);
            JsonNode concept = api.get("/api/concepts/" + saved).expect(200).body();
            assertEquals(user, concept.path("owner").asText(), concept.toString());
            assertEquals("PRIVATE", concept.path("visibility").asText(), concept.toString());
            assertEquals(new java.util.TreeSet<>(proposed.path("categories").findValuesAsText("name")),
                    new java.util.TreeSet<>(concept.path("categories").findValuesAsText("name")), concept.toString());
            assertEquals(proposed.path("relations").size(), concept.path("relations").size(), concept.toString());
            JsonNode placed = category(concept, first);
            assertEquals(((Number) arranged.get("x")).doubleValue(), placed.path("x").asDouble(), 1.0, placed.toString());
            assertEquals(((Number) arranged.get("y")).doubleValue(), placed.path("y").asDouble(), 1.0, placed.toString());
            assertFalse(browser.findElement(By.id("proposal-actions")).isDisplayed());
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("mine"), name));
            js("document.getElementById('synthesis-box').scrollIntoView()");
        }
    }

    @Test
    void aPathBetweenCategoriesOfTwoConceptsIsListedAndMarkedOnTheCanvas() throws Exception {
        signIn("studio-" + UUID.randomUUID().toString().substring(0, 8));
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String alpha = "Alpha " + tag;
        String beta = "Beta " + tag;
        String gamma = "Gamma " + tag;
        String delta = "Delta " + tag;
        String start;
        String end;
        String island;
        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            // alpha -> beta in one concept, beta -> gamma in another: a path of two steps over both; delta alone
            start = api.post("/api/concepts", Map.of("name", "Path start " + tag, "tradition", "Studio tests",
                    "categories", List.of(Map.of("name", alpha, "x", -120, "y", 0), Map.of("name", beta, "x", 120, "y", 0)),
                    "relations", List.of(Map.of("from", alpha, "to", beta, "type", "IMPLIES", "rationale", "first step")))).expect(201).id();
            end = api.post("/api/concepts", Map.of("name", "Path end " + tag, "tradition", "Studio tests",
                    "categories", List.of(Map.of("name", beta, "x", -120, "y", 0), Map.of("name", gamma, "x", 120, "y", 0)),
                    "relations", List.of(Map.of("from", beta, "to", gamma, "type", "GROUNDS")))).expect(201).id();
            var last = api.post("/api/concepts", Map.of("name", "Path island " + tag, "tradition", "Studio tests",
                    "categories", List.of(Map.of("name", delta)))).expect(201);
            island = last.id();
            // the studio reads the graph without this token: wait until graph-service has applied the three writes
            JsonNode startConcept = api.get("/api/concepts/" + start).expect(200).body();
            String from = category(startConcept, alpha).path("id").asText();
            String to = category(api.get("/api/concepts/" + end).expect(200).body(), gamma).path("id").asText();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (api.get("/api/graph/paths?from=" + from + "&to=" + to, Map.of("X-Consistency-Token", last.consistencyToken()))
                    .status() != 200) {
                assertTrue(System.nanoTime() < deadline, "graph-service never found the path");
                Thread.sleep(200);
            }
        }
        browser.get(studio.baseUrl() + "/#/concepts/" + start);
        browser.navigate().refresh();
        awaitNodes(2);
        assertAccessibleNames("#find-path select, #find-path input, #find-path button");

        new Select(browser.findElement(By.id("path-from"))).selectByVisibleText(alpha);
        new Select(browser.findElement(By.id("path-concept"))).selectByValue(end);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath("//select[@id='path-to']/option[.='" + gamma + "']")));
        new Select(browser.findElement(By.id("path-to"))).selectByVisibleText(gamma);
        // submitted from the keyboard: Enter in the form
        browser.findElement(By.id("path-max")).sendKeys(org.openqa.selenium.Keys.ENTER);
        wait.until(d -> d.findElements(By.cssSelector("#path-result li.path-step")).size() == 2);
        String listed = browser.findElement(By.id("path-result")).getText();
        assertTrue(listed.contains("2 steps: " + alpha + " → " + beta + " → " + gamma), listed);
        assertTrue(listed.contains(alpha + " implies " + beta), listed);
        assertTrue(listed.contains(beta + " grounds " + gamma), listed);
        // marked on the canvas: both categories of this concept and its one relation on the path
        assertEquals(2L, js("return window.dialecticaStudio.cy.nodes('.on-path').length"));
        assertEquals(1L, js("return window.dialecticaStudio.cy.edges('.on-path').length"));
        js("document.getElementById('paths').scrollIntoView()");
        screenshot("path");

        // the step in the other concept opens it
        WebElement other = browser.findElement(By.xpath("//ol[@id='path-result']//button[.='in Path end " + tag + "']"));
        other.click();
        wait.until(ExpectedConditions.textToBe(By.id("concept-title"), "Path end " + tag));
        awaitNodes(2);

        // no path to a category nothing relates to: said in words
        new Select(browser.findElement(By.id("path-from"))).selectByVisibleText(beta);
        new Select(browser.findElement(By.id("path-concept"))).selectByValue(island);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.xpath("//select[@id='path-to']/option[.='" + delta + "']")));
        browser.findElement(By.cssSelector("#find-path button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("path-result"),
                "No path from " + beta + " to " + delta + " within 6 steps over the concepts you can see."));
        assertEquals(0L, js("return window.dialecticaStudio.cy.elements('.on-path').length"));
    }

    @Test
    void similarConceptsAreListedByMeaning() throws Exception {
        signIn("studio-" + UUID.randomUUID().toString().substring(0, 8));
        String tag = UUID.randomUUID().toString().substring(0, 6);
        String virtue;
        String character = "Ethics of character " + tag;
        String logic = "Predicate logic " + tag;
        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            virtue = api.post("/api/concepts", Map.of("name", "Virtue ethics " + tag,
                    "description", "Moral character, the virtues and a flourishing, happy human life.",
                    "categories", List.of(Map.of("name", "Virtue"), Map.of("name", "Flourishing")))).expect(201).id();
            api.post("/api/concepts", Map.of("name", character,
                    "description", "Courage, temperance and practical wisdom as the moral excellences of a good person.",
                    "categories", List.of(Map.of("name", "Courage"), Map.of("name", "Practical wisdom")))).expect(201);
            api.post("/api/concepts", Map.of("name", logic,
                    "description", "Quantifiers, variables and the validity of formal inference.",
                    "categories", List.of(Map.of("name", "Quantifier"), Map.of("name", "Inference")))).expect(201);
        }
        browser.get(studio.baseUrl() + "/#/concepts/" + virtue);
        browser.navigate().refresh();
        awaitNodes(2);
        // the vectors follow the graph by about a second: reload until the nearest by meaning is listed
        new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofSeconds(2)).until(d -> {
            if (d.findElement(By.id("similar")).getText().contains(character)) {
                return true;
            }
            d.findElement(By.id("reload")).click();
            return false;
        });
        String listed = browser.findElement(By.id("similar")).getText();
        assertFalse(listed.contains("Virtue ethics " + tag), "not itself: " + listed);
        assertTrue(!listed.contains(logic) || listed.indexOf(character) < listed.indexOf(logic), "ethics before logic: " + listed);
        browser.findElement(By.xpath("//ul[@id='similar']//button[contains(., '" + character + "')]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("concept-title"), character));
    }

    @Test
    void aCanvasFileImportsAndTheConceptExportsAsFilesForOtherTools() throws Exception {
        signIn("studio-" + UUID.randomUUID().toString().substring(0, 8));
        String tag = UUID.randomUUID().toString().substring(0, 6);
        // a JSON Canvas 1.0 file in Obsidian's layout: a group naming the concept, two text nodes, a labelled arrow
        Path file = Files.createTempFile("studio-import-", ".canvas");
        Files.writeString(file, """
                {"nodes":[
                  {"id":"g","type":"group","label":"Imported triad %1$s","x":-40,"y":-40,"width":730,"height":140},
                  {"id":"a","type":"text","text":"## Being %1$s","x":0,"y":0,"width":250,"height":60},
                  {"id":"b","type":"text","text":"## Nothing %1$s","x":400,"y":0,"width":250,"height":60}],
                 "edges":[{"id":"e","fromNode":"a","toNode":"b","toEnd":"arrow","label":"NEGATES: pure being is nothing"}]}
                """.formatted(tag));
        browser.findElement(By.cssSelector("#import-box summary")).click();
        browser.findElement(By.id("im-file")).sendKeys(file.toAbsolutePath().toString());
        browser.findElement(By.cssSelector("#import-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("concept-title"), "Imported triad " + tag));
        awaitNodes(2);
        String hash = (String) js("return location.hash");
        String id = hash.substring("#/concepts/".length());
        try (ConceptClient api = new ConceptClient(studio.baseUrl(), token())) {
            JsonNode concept = api.get("/api/concepts/" + id).expect(200).body();
            assertEquals("PRIVATE", concept.path("visibility").asText());
            assertEquals("NEGATES", concept.path("relations").path(0).path("type").asText(), concept.toString());
            assertEquals("pure being is nothing", concept.path("relations").path(0).path("rationale").asText());
        }

        // out again as GraphML (for yEd, Gephi): fetched with the token, offered as a file named after the concept
        new Select(browser.findElement(By.id("export-format"))).selectByValue("graphml");
        browser.findElement(By.id("export")).click();
        WebElement link = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("export-link")));
        assertEquals("Imported triad " + tag + ".graphml", link.getAttribute("download"));
        String graphml = (String) ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch(document.getElementById('export-link').href).then(r => r.text()).then(done, e => done('failed: ' + e));");
        assertTrue(graphml.contains("<graphml"), graphml);
        assertTrue(graphml.contains("Being " + tag) && graphml.contains("Nothing " + tag), graphml);
        assertTrue(graphml.contains("NEGATES"), graphml);
        assertAccessibleNames("#export-format, #export");

        // a file the studio cannot place is said in words, and nothing is created
        Path odd = Files.createTempFile("studio-import-", ".txt");
        Files.writeString(odd, "not a map");
        browser.findElement(By.cssSelector("#import-box summary")).click();
        // (the file input is named by its label, which Chromium does not report as a file input's accessible name)
        assertAccessibleNames("#import-form select, #import-form button");
        browser.findElement(By.id("im-file")).sendKeys(odd.toAbsolutePath().toString());
        browser.findElement(By.cssSelector("#import-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Which format"));
        new Select(browser.findElement(By.id("im-format"))).selectByValue("canvas");
        browser.findElement(By.cssSelector("#import-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "Some values are not acceptable"));
        assertEquals("Imported triad " + tag, browser.findElement(By.id("concept-title")).getText());
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /** A screen in the middle of a test, beside the last screens of {@link #closeBrowser}. */
    private void screenshot(String name) throws IOException {
        Path shots = Stack.logs().resolve("studio");
        Files.createDirectories(shots);
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shots.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private WebElement synthesisChoice(String conceptId) {
        return wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#syn-concepts input[value='" + conceptId + "']")));
    }

    /** Every control matched has a name a screen reader announces (its label, legend, aria-label or text). */
    private void assertAccessibleNames(String css) {
        List<WebElement> controls = browser.findElements(By.cssSelector(css));
        assertFalse(controls.isEmpty(), css);
        for (WebElement control : controls) {
            String name = control.getAccessibleName();
            assertFalse(name == null || name.isBlank(), "no accessible name: " + control.getAttribute("outerHTML"));
        }
    }

    private void signIn(String user) {
        browser.get(studio.baseUrl() + "/");
        WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("dev-user")));
        name.clear();
        name.sendKeys(user);
        browser.findElement(By.cssSelector("#dev-sign-in button[type=submit]")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("studio")));
        assertEquals(user, browser.findElement(By.id("who-name")).getText());
    }

    private String createConcept(String name, String... categories) {
        browser.findElement(By.cssSelector("#new-concept-box summary")).click();
        browser.findElement(By.id("nc-name")).sendKeys(name);
        browser.findElement(By.id("nc-tradition")).sendKeys("Studio tests");
        new Select(browser.findElement(By.id("nc-visibility"))).selectByValue("PRIVATE");
        browser.findElement(By.id("nc-categories")).sendKeys(String.join("\n", categories));
        browser.findElement(By.cssSelector("#new-concept button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBe(By.id("concept-title"), name));
        awaitNodes(categories.length);
        String hash = (String) js("return location.hash");
        assertTrue(hash.startsWith("#/concepts/"), hash);
        return hash.substring("#/concepts/".length());
    }

    private void awaitNodes(int n) {
        wait.until(d -> Long.valueOf(n).equals(js("return window.dialecticaStudio.cy ? window.dialecticaStudio.cy.nodes().length : -1")));
    }

    private void search(String q) {
        WebElement box = browser.findElement(By.id("q"));
        box.clear();
        box.sendKeys(q);
        browser.findElement(By.cssSelector("#search button[type=submit]")).click();
    }

    /** Presses the mouse on the category's node, moves it by (dx, dy) screen pixels in steps, releases. */
    private void drag(String category, int dx, int dy) {
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) js("""
                const n = window.dialecticaStudio.cy.nodes().filter(n => n.data('label') === arguments[0])[0];
                const box = document.getElementById('canvas').getBoundingClientRect();
                return {x: Math.round(box.left + n.renderedPosition().x), y: Math.round(box.top + n.renderedPosition().y)};
                """, category);
        int x = ((Number) at.get("x")).intValue();
        int y = ((Number) at.get("y")).intValue();
        new Actions(browser).moveToLocation(x, y).clickAndHold().pause(Duration.ofMillis(100))
                .moveByOffset(dx / 3, dy / 3).pause(Duration.ofMillis(50))
                .moveByOffset(dx / 3, dy / 3).pause(Duration.ofMillis(50))
                .moveByOffset(dx - 2 * (dx / 3), dy - 2 * (dy / 3)).pause(Duration.ofMillis(100))
                .release().perform();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> nodePosition(String category) {
        return (Map<String, Object>) js("""
                const n = window.dialecticaStudio.cy.nodes().filter(n => n.data('label') === arguments[0])[0];
                return {x: n.position().x, y: n.position().y};
                """, category);
    }

    private static JsonNode category(JsonNode concept, String name) {
        for (JsonNode c : concept.path("categories")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no category " + name + " in " + concept);
    }

    private String token() {
        return (String) js("return sessionStorage.getItem('dialectica.token')");
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
