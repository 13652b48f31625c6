//! Real headless Chromium, driven over WebDriver by ChromeDriver. Each `Browser` has a
//! profile of its own (its own IndexedDB, service worker and caches).

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";

fn chromedriver() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned())
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Self {
        let port = crate::free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); `cargo xtask test` installs it", chromedriver()));
        crate::wait_for_port(port, "chromedriver");
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1024,1366",
            // The scenarios read English words; the app follows the browser's language.
            "--lang=en-US",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": { "intl": { "accept_languages": "en-US,en" } },
            },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        Self { client, driver, _profile: profile }
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    pub async fn reload(&self) {
        self.client.refresh().await.expect("reload");
    }

    /// Waits up to `seconds` for `css` to match an element.
    pub async fn wait_for(&self, css: &str, seconds: u64) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(seconds)).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => {
                panic!("{css} did not appear within {seconds} s ({e}); the page shows:\n{}", self.page_text().await)
            }
        }
    }

    /// The page's URL and visible text, for failure messages.
    pub async fn page_text(&self) -> String {
        let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
        let text = self.client.execute("return document.body.innerText", vec![]).await.unwrap_or_default();
        format!("{url}\n{}", text.as_str().unwrap_or_default())
    }

    /// Follows an enrolment link, chooses `username` and `passphrase`, and waits for the
    /// case list of the new vault.
    pub async fn enrol(&self, link: &str, username: &str, passphrase: &str) {
        self.goto(link).await;
        self.type_into("#enrol-username", username).await;
        self.type_into("#enrol-passphrase", passphrase).await;
        self.type_into("#enrol-confirm", passphrase).await;
        self.click("#enrol-submit").await;
        self.wait_for("#new-case", 60).await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.wait_for(css, 20).await;
        element.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Clicks `css` until `expected` appears: a click can be lost while the page re-renders
    /// under it (a tab clicked just after an act was saved).
    pub async fn click_until(&self, css: &str, expected: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            self.click(css).await;
            let shown = Instant::now() + Duration::from_secs(3);
            while Instant::now() < shown {
                if self.client.find(Locator::Css(expected)).await.is_ok() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            if Instant::now() > deadline {
                panic!("{expected} did not appear after clicking {css}; the page shows:\n{}", self.page_text().await);
            }
        }
    }

    /// Clicks the element matching `css`, finding it again if the page re-rendered it
    /// between finding and clicking.
    pub async fn click(&self, css: &str) {
        let mut attempts = 0;
        loop {
            match self.wait_for(css, 20).await.click().await {
                Ok(()) => return,
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::StaleElementReference && attempts < 5 =>
                {
                    attempts += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("clicking {css}: {e}"),
            }
        }
    }

    /// Sets a form control's value as a date picker or a select would, firing `input`
    /// and `change`.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.wait_for(css, 20).await;
        let (css, value) = (json!(css), json!(value));
        self.eval(&format!(
            "const e = document.querySelector({css}); e.value = {value}; \
             e.dispatchEvent(new Event('input', {{ bubbles: true }})); \
             e.dispatchEvent(new Event('change', {{ bubbles: true }}));"
        ))
        .await;
    }

    /// A form control's current value.
    pub async fn value(&self, css: &str) -> String {
        self.wait_for(css, 20).await;
        let css = json!(css);
        self.eval(&format!("return document.querySelector({css}).value")).await.as_str().unwrap_or_default().to_owned()
    }

    /// The visible text of the first element matching `css`.
    /// The text of `css`, once it shows some (within 30 s).
    pub async fn shown(&self, css: &str) -> String {
        self.until(
            &format!("{css} shows"),
            &format!("return (document.querySelector('{css}')?.innerText || '').length > 0"),
            30,
        )
        .await;
        self.text(css).await
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css, 20).await.text().await.unwrap_or_default()
    }

    /// The page printed to PDF (A4), as Chromium's print does.
    pub async fn print_pdf(&self) -> Vec<u8> {
        let config = fantoccini::wd::PrintConfiguration::builder()
            .size(fantoccini::wd::PrintSize::A4)
            .build()
            .expect("a print configuration");
        self.client.print(config).await.expect("print to PDF")
    }

    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    pub async fn eval_async(&self, script: &str) -> Value {
        self.client.execute_async(script, vec![]).await.unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Polls `script` until it returns `true`, for up to `seconds`.
    pub async fn until(&self, what: &str, script: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            if self.eval(script).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                panic!("timed out after {seconds} s waiting until {what}; the page shows:\n{}", self.page_text().await);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every value in every object store of the app's IndexedDB database, as JSON text.
    pub async fn indexed_db_dump(&self) -> String {
        let script = r#"
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open("puente");
            open.onerror = () => done("error: " + open.error);
            open.onsuccess = () => {
                const db = open.result;
                const names = Array.from(db.objectStoreNames);
                const tx = db.transaction(names, "readonly");
                const out = {};
                let pending = names.length;
                for (const name of names) {
                    const request = tx.objectStore(name).getAll();
                    request.onsuccess = () => {
                        out[name] = request.result;
                        if (--pending === 0) { db.close(); done(JSON.stringify(out)); }
                    };
                }
            };
        "#;
        self.eval_async(script).await.as_str().expect("a JSON dump").to_owned()
    }
}

impl Drop for Browser {
    /// A failed test must not leave ChromeDriver behind.
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
